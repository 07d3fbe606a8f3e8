/**
 * Signed-in browsers without clicking through the sign-in form: sign up (and verify through the emailed
 * link) or log in over HTTP (the API), then put the cookies the Worker set (`__Host-session`, `__Host-device`) into the browser context.
 *
 * Chromium treats http://127.0.0.1 as a secure context, so it keeps and sends Secure and `__Host-`
 * cookies there as the Worker sets them (no https or "localhost" needed). Added through playwright they
 * must name domain and path: the `url` form of `addCookies` with `secure: true` on an http URL is refused
 * ("Invalid cookie fields"). A cookie given a domain that is an IP address stays host-only, as `__Host-`
 * requires.
 *
 * @example
 * const account = await signUpFreshAccount(base);
 * await signInContext(context, account);          // or: await signInContext(context, await signInDemo(base, "buyer"))
 * await page.goto(`${base}/cart`);
 */
import type { BrowserContext } from "playwright-core";
import { DEMO_PASSWORD, demoAccounts } from "../../../scripts/seed/identity.ts";
import { emailedLink } from "./journeys.ts";

type BrowserCookie = Parameters<BrowserContext["addCookies"]>[0][number];

export interface SignedInAccount {
  email: string;
  password: string;
  name: string;
  /** The session and device cookies, as the browser stores them for the Worker's host. */
  cookies: BrowserCookie[];
}

export type DemoRole = "buyer" | "seller" | "packaging" | "admin";

/**
 * A different private address per call: sign-up and login are limited per IP (20 a minute),
 * and every request from a test would otherwise count as 127.0.0.1.
 */
function testClientIp(): string {
  const octet = () => Math.floor(Math.random() * 254) + 1;
  return `10.${octet()}.${octet()}.${octet()}`;
}

/** A `Set-Cookie` header as a playwright cookie for the origin that sent it. */
export function parseSetCookie(header: string, origin: string): BrowserCookie {
  const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
  const split = pair.indexOf("=");
  const cookie: BrowserCookie = {
    name: pair.slice(0, split),
    value: pair.slice(split + 1),
    domain: new URL(origin).hostname,
    path: "/",
  };
  for (const attribute of attributes) {
    const [key = "", value = ""] = attribute.split("=", 2).map((part) => part.trim());
    switch (key.toLowerCase()) {
      case "path":
        cookie.path = value;
        break;
      case "secure":
        cookie.secure = true;
        break;
      case "httponly":
        cookie.httpOnly = true;
        break;
      case "samesite":
        cookie.sameSite =
          value.toLowerCase() === "strict" ? "Strict" : value.toLowerCase() === "none" ? "None" : "Lax";
        break;
      case "expires":
        cookie.expires = Math.floor(Date.parse(value) / 1000);
        break;
    }
  }
  return cookie;
}

async function authenticate(base: string, path: string, body: Record<string, string>, expected: number) {
  const res = await post(base, path, body);
  if (res.status !== expected) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  const cookies = res.headers.getSetCookie().map((header) => parseSetCookie(header, base));
  if (!cookies.some((cookie) => cookie.name === "__Host-session"))
    throw new Error(`${path} set no __Host-session cookie`);
  return cookies;
}

function post(base: string, path: string, body: Record<string, string>) {
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": testClientIp() },
    body: JSON.stringify(body),
  });
}

let accountCount = 0;

/** A new user with no organisation, signed up through POST /v1/auth/signup and verified by its emailed link. */
export async function signUpFreshAccount(
  base: string,
  overrides: { name?: string; email?: string } = {},
): Promise<SignedInAccount> {
  accountCount += 1;
  const email =
    overrides.email ?? `journey.${Date.now()}.${process.pid}.${accountCount}@test.example`.toLowerCase();
  const password = "a sturdy journey passphrase";
  const name = overrides.name ?? "Jordan Journey";
  const signup = await post(base, "/v1/auth/signup", { email, password, name });
  if (signup.status !== 202)
    throw new Error(`/v1/auth/signup answered ${signup.status}: ${await signup.text()}`);
  // Verified through the emailed link (the dev mailbox) and the password, which signs in.
  const link = await emailedLink(base, email, "email_verification", /\/verify-email\?token=/);
  const token = link.searchParams.get("token") ?? "";
  const cookies = await authenticate(base, "/v1/auth/verify-email", { token, password }, 200);
  return { email, password, name, cookies };
}

/** A demo user of the seed (scripts/seed/identity.ts), logged in through POST /v1/auth/login. */
export async function signInDemo(base: string, role: DemoRole): Promise<SignedInAccount> {
  const account = demoAccounts.find((candidate) => candidate.email === `${role}@demo.example`);
  if (!account) throw new Error(`no demo account for ${role}`);
  const cookies = await authenticate(
    base,
    "/v1/auth/login",
    { email: account.email, password: DEMO_PASSWORD },
    200,
  );
  return { email: account.email, password: DEMO_PASSWORD, name: account.name, cookies };
}

/** Puts the account's session into the browser context: its pages are signed in from now on. */
export async function signInContext(context: BrowserContext, account: SignedInAccount): Promise<void> {
  await context.addCookies(account.cookies);
}
