/** Requests to the web app's pages as a browser sends them: session cookie, same-site Origin, url-encoded forms. */
import { exports } from "cloudflare:workers";

export const ORIGIN = "http://api.test";

export interface PageRequest {
  /** Cookie header pairs, e.g. the `__Host-session=…` of a TestUser and an org cookie. */
  cookies?: (string | undefined)[];
  /** A form to POST (url-encoded); arrays repeat the field. */
  form?: Record<string, string | string[]>;
  headers?: Record<string, string>;
}

export function webPage(path: string, options: PageRequest = {}): Promise<Response> {
  const headers: Record<string, string> = { "accept-language": "en-GB", ...options.headers };
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

/** The `__Host-org=…` pair to act for an organisation. */
export const orgCookie = (orgId: string) => `__Host-org=${orgId}`;

/** A cookie pair a response set (`name=value`), if any. */
export function setCookie(res: Response, name: string): string | undefined {
  const header = res.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
  return header?.split(";")[0];
}

/** HTML-escaped text, as the pages render user data. */
export function escaped(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
