/** Requests to the web app's pages through the real Worker entry, as a browser would send them. */
import { exports } from "cloudflare:workers";

export const ORIGIN = "http://api.test";

export interface PageRequest {
  cookie?: string;
  /** The Origin a browser sends with a form post; same-origin unless given. */
  origin?: string;
  ip?: string;
  accept?: string;
  "accept-language"?: string;
  "if-none-match"?: string;
}

function headersOf(options: PageRequest): Record<string, string> {
  const headers: Record<string, string> = { accept: options.accept ?? "text/html,application/xhtml+xml" };
  if (options.cookie) headers.cookie = options.cookie;
  if (options.ip) headers["cf-connecting-ip"] = options.ip;
  if (options["accept-language"]) headers["accept-language"] = options["accept-language"];
  if (options["if-none-match"]) headers["if-none-match"] = options["if-none-match"];
  return headers;
}

/** GET a page (redirects are not followed, so tests see them). */
export function get(
  path: string,
  options: PageRequest = {},
  raw: { method?: string; body?: string; contentType?: string } = {},
): Promise<Response> {
  const headers = headersOf(options);
  if (raw.contentType) headers["content-type"] = raw.contentType;
  if (raw.method && raw.method !== "GET") headers.origin = options.origin ?? ORIGIN;
  return exports.default.fetch(`${ORIGIN}${path}`, {
    method: raw.method ?? "GET",
    headers,
    body: raw.body,
    redirect: "manual",
  });
}

/** POST an HTML form (url-encoded), with the browser's Origin header. */
export function form(path: string, fields: Record<string, string | string[]>, options: PageRequest = {}) {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const one of Array.isArray(value) ? value : [value]) body.append(name, one);
  }
  return exports.default.fetch(`${ORIGIN}${path}`, {
    method: "POST",
    headers: {
      ...headersOf(options),
      origin: options.origin ?? ORIGIN,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: body.toString(),
    redirect: "manual",
  });
}

/** The cookies a response set, as `name=value` pairs for a Cookie header, by short name. */
export function setCookies(res: Response): { session?: string; org?: string; device?: string } {
  const found: Record<string, string> = {};
  for (const header of res.headers.getSetCookie()) {
    const pair = header.split(";")[0] ?? "";
    if (pair.startsWith("__Host-session=")) found.session = pair;
    if (pair.startsWith("__Host-org=")) found.org = pair;
    if (pair.startsWith("__Host-device=")) found.device = pair;
  }
  return found;
}

/** Where a redirect points, without the origin. */
export function location(res: Response): string | null {
  const value = res.headers.get("location");
  return value ? value.replace(ORIGIN, "") : null;
}
