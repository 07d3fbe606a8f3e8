/**
 * The seed's HTTP client for the running Worker: demo data that has rules (images, orders) goes through the
 * real API as the demo users, so every check, event and side effect is the one a real client gets.
 */
import { DEMO_PASSWORD } from "./identity.ts";

export interface ApiResponse<T> {
  body: T;
  headers: Headers;
}

export class DemoApi {
  private readonly tokens = new Map<string, string>();

  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
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
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: all,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
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
