/** Requests to the web app's pages through the real Worker entry, as a browser sends them. */
import { exports } from "cloudflare:workers";

export const ORIGIN = "http://api.test";

export interface WebRequest {
  /** Cookie header pairs, e.g. the `__Host-session=…` of a TestUser and an org cookie. */
  cookies?: (string | undefined)[];
  /** A form to POST (url-encoded, with a same-origin Origin unless headers say otherwise); arrays repeat the field. */
  form?: Record<string, string | string[]>;
  headers?: Record<string, string>;
}

/** One page request; redirects are not followed, so tests see them. */
export function webPage(path: string, options: WebRequest = {}): Promise<Response> {
  const headers: Record<string, string> = {
    accept: "text/html,application/xhtml+xml",
    "accept-language": "en-GB",
    ...options.headers,
  };
  const cookies = (options.cookies ?? []).filter(Boolean);
  if (cookies.length > 0) headers.cookie = cookies.join("; ");
  let body: string | undefined;
  if (options.form) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(options.form)) {
      for (const one of Array.isArray(value) ? value : [value]) form.append(name, one);
    }
    body = form.toString();
    headers["content-type"] = "application/x-www-form-urlencoded";
    headers.origin ??= ORIGIN;
  }
  return exports.default.fetch(`${ORIGIN}${path}`, {
    method: options.form ? "POST" : "GET",
    headers,
    body,
    redirect: "manual",
  });
}

export interface PageRequest {
  cookie?: string;
  /** The Origin a browser sends with a form post; same-origin unless given. */
  origin?: string;
  ip?: string;
  accept?: string;
  "accept-language"?: string;
}

function headersOf(options: PageRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  if (options.accept) headers.accept = options.accept;
  if (options.ip) headers["cf-connecting-ip"] = options.ip;
  if (options["accept-language"]) headers["accept-language"] = options["accept-language"];
  if (options.origin) headers.origin = options.origin;
  return headers;
}

/** GET a page, or send it a raw body (`raw`) to test what pages refuse. */
export function get(
  path: string,
  options: PageRequest = {},
  raw: { method?: string; body?: string; contentType?: string } = {},
): Promise<Response> {
  if (!raw.method || raw.method === "GET") {
    return webPage(path, { cookies: [options.cookie], headers: headersOf(options) });
  }
  const headers: Record<string, string> = { ...headersOf(options), origin: options.origin ?? ORIGIN };
  if (raw.contentType) headers["content-type"] = raw.contentType;
  if (options.cookie) headers.cookie = options.cookie;
  return exports.default.fetch(`${ORIGIN}${path}`, {
    method: raw.method,
    headers,
    body: raw.body,
    redirect: "manual",
  });
}

/** POST an HTML form (url-encoded), with the browser's Origin header. */
export function form(path: string, fields: Record<string, string | string[]>, options: PageRequest = {}) {
  return webPage(path, { cookies: [options.cookie], form: fields, headers: headersOf(options) });
}

/** The `__Host-org=…` pair to act for an organisation. */
export const orgCookie = (orgId: string) => `__Host-org=${orgId}`;

/** A cookie pair a response set (`name=value`), if any. */
export function setCookie(res: Response, name: string): string | undefined {
  const header = res.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
  return header?.split(";")[0];
}

/** The session, org and device cookies a response set, as `name=value` pairs for a Cookie header. */
export function setCookies(res: Response): { session?: string; org?: string; device?: string } {
  return {
    session: setCookie(res, "__Host-session"),
    org: setCookie(res, "__Host-org"),
    device: setCookie(res, "__Host-device"),
  };
}

/** HTML-escaped text, as the pages render user data. */
export function escaped(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
