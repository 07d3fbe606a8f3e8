/**
 * The seed's HTTP client for the running Worker: demo data that has rules (images, orders) goes through the
 * real API as the demo users, so every check, event and side effect is the one a real client gets.
 */
import { DEMO_PASSWORD } from "./identity.ts";

/** How often one request waits out a 429 before the seed gives up. */
const MAX_RATE_LIMIT_RETRIES = 2;

export interface ApiResponse<T> {
  body: T;
  headers: Headers;
}

export class DemoApi {
  private readonly tokens = new Map<string, string>();

  readonly baseUrl: string;

  private readonly log: (line: string) => void;

  constructor(baseUrl: string, log: (line: string) => void = () => {}) {
    this.baseUrl = baseUrl;
    this.log = log;
  }

  /** Signs `email` in once (sign-ins are rate limited per address) and returns its bearer token. */
  async token(email: string): Promise<string> {
    const known = this.tokens.get(email);
    if (known) return known;
    const { body } = await this.request<{ session: { token: string } }>(undefined, "POST", "/v1/auth/login", {
      email,
      password: DEMO_PASSWORD,
    });
    this.tokens.set(email, body.session.token);
    return body.session.token;
  }

  /** A JSON request as `email` (or anonymous); a status other than 2xx throws with the problem body. */
  async request<T>(
    email: string | undefined,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const all = new Headers(headers);
    if (body !== undefined) all.set("content-type", "application/json");
    if (email) all.set("authorization", `Bearer ${await this.token(email)}`);
    const send = () =>
      fetch(`${this.baseUrl}${path}`, {
        method,
        headers: all,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    let res = await send();
    // Every local client shares 127.0.0.1, so the API's per-address flood guard can refuse the seed when a
    // browser or test is busy too: wait out the window it names, as any well-behaved client would.
    for (let retry = 0; res.status === 429 && retry < MAX_RATE_LIMIT_RETRIES; retry++) {
      const seconds = Math.min(Number(res.headers.get("retry-after")) || 1, 61);
      await res.body?.cancel();
      this.log(`seed: ${method} ${path} rate limited, retrying in ${seconds} s`);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      res = await send();
    }
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return { body: (res.status === 204 ? undefined : await res.json()) as T, headers: res.headers };
  }

  async json<T>(email: string | undefined, method: string, path: string, body?: unknown): Promise<T> {
    return (await this.request<T>(email, method, path, body)).body;
  }
}

/** A seller's listing as the seller endpoints return it (the fields the seed reads). */
export interface SellerListing {
  id: string;
  title: string;
  version: number;
  status: string;
  images: unknown[];
  variants: { id: string; sku: string }[];
}

/** Every listing of the seller organisation `orgId`, as its owner `email` sees them. */
export async function sellerListings(api: DemoApi, email: string, orgId: string): Promise<SellerListing[]> {
  const items: SellerListing[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const page: { items: SellerListing[]; nextCursor: string | null } = await api.json(
      email,
      "GET",
      `/v1/orgs/${orgId}/listings?limit=100${query}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}
