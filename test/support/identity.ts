import { exports } from "cloudflare:workers";
import { emailToken } from "./mail.ts";

let counter = 0;
/** A unique address per call, so tests never share accounts. */
export function uniqueEmail(prefix = "user") {
  counter += 1;
  return `${prefix}.${Date.now().toString(36)}.${counter}.${Math.random().toString(36).slice(2, 7)}@test.example`;
}

/** A random client IP, so the per-IP login limit of one test never touches another's. */
export function randomIp() {
  const octet = () => Math.floor(Math.random() * 254) + 1;
  return `10.${octet()}.${octet()}.${octet()}`;
}

export const PASSWORD = "Tr0ub4dor & 3 staples";

export interface RequestOptions {
  method?: string;
  body?: unknown;
  token?: string;
  cookie?: string;
  headers?: Record<string, string>;
  /** The origin the request is addressed to (its Host), `http://api.test` unless given. */
  origin?: string;
}

/** A request through the real Worker entry. JSON bodies; bearer token or cookie when given. */
export function api(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  return exports.default.fetch(`${options.origin ?? "http://api.test"}${path}`, {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
  sessionId: string;
  /** The `__Host-session=…` pair for a Cookie header. */
  cookie: string;
  ip: string;
}

/** Signs an address up (202, nobody signed in yet): the account waits for its emailed verification link. */
export async function register(
  overrides: { email?: string; password?: string; name?: string } = {},
): Promise<Pick<TestUser, "email" | "password" | "ip">> {
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? PASSWORD;
  const ip = randomIp();
  const res = await api("/v1/auth/signup", {
    body: { email, password, name: overrides.name ?? "Test User" },
    headers: { "cf-connecting-ip": ip },
  });
  if (res.status !== 202) throw new Error(`signup failed: ${res.status} ${await res.text()}`);
  return { email, password, ip };
}

/**
 * Opens the newest verification link emailed to the address and confirms it with the account's password,
 * as its page's button does: verified and signed in (every other session of the account ends).
 */
export async function verifyEmail(
  user: Pick<TestUser, "email" | "password" | "ip">,
): Promise<TestUser & { res: Response }> {
  const res = await api("/v1/auth/verify-email", {
    body: { token: await emailToken(user.email, "email_verification"), password: user.password },
    headers: { "cf-connecting-ip": user.ip },
  });
  if (res.status !== 200) throw new Error(`verify-email failed: ${res.status} ${await res.text()}`);
  const body = await json<{ user: { id: string }; session: { id: string; token: string } }>(res);
  return {
    ...user,
    id: body.user.id,
    token: body.session.token,
    sessionId: body.session.id,
    cookie: sessionCookie(res),
    res,
  };
}

/** A new account that has verified its address (through the emailed link), signed in. */
export async function signUp(
  overrides: { email?: string; password?: string; name?: string } = {},
): Promise<TestUser> {
  const { res: _, ...user } = await verifyEmail(await register(overrides));
  return user;
}

/** A new account that has not verified its address yet, signed in with its password. */
export async function signUpUnverified(
  overrides: { email?: string; password?: string; name?: string } = {},
): Promise<TestUser> {
  const { res: _, ...user } = await logIn(await register(overrides));
  return user;
}

export async function logIn(
  user: Pick<TestUser, "email" | "password" | "ip">,
): Promise<TestUser & { res: Response }> {
  const res = await api("/v1/auth/login", {
    body: { email: user.email, password: user.password },
    headers: { "cf-connecting-ip": user.ip },
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const body = await json<{ user: { id: string }; session: { id: string; token: string } }>(res);
  return {
    ...user,
    id: body.user.id,
    token: body.session.token,
    sessionId: body.session.id,
    cookie: sessionCookie(res),
    res,
  };
}

export function sessionCookie(res: Response): string {
  const header = res.headers.get("set-cookie") ?? "";
  const match = /(__Host-session=[^;]*)/.exec(header);
  if (!match?.[1]) throw new Error(`no session cookie in: ${header}`);
  return match[1];
}

/** The `__Host-device=…` pair a sign-in set (the device cookie), for a Cookie header. */
export function deviceCookie(res: Response): string {
  const header = res.headers.getSetCookie().find((cookie) => cookie.startsWith("__Host-device=")) ?? "";
  const match = /^(__Host-device=[^;]+)/.exec(header);
  if (!match?.[1]) throw new Error(`no device cookie in: ${res.headers.getSetCookie().join(" | ")}`);
  return match[1];
}

export async function createOrg(
  user: TestUser,
  kind: "buyer" | "seller" | "both" = "both",
  name = "Acme Supplies",
) {
  const res = await api("/v1/orgs", { token: user.token, body: { name, kind } });
  if (res.status !== 201) throw new Error(`createOrg failed: ${res.status} ${await res.text()}`);
  return json<{ id: string; name: string; role: string }>(res);
}

/** The newest invitation token emailed to an address. */
export function invitationToken(email: string): Promise<string> {
  return emailToken(email, "invitation");
}

/** Adds a member with a role through a real invitation, returning the new member. */
export async function addMember(owner: TestUser, orgId: string, role: string): Promise<TestUser> {
  const member = await signUp();
  const invite = await api(`/v1/orgs/${orgId}/invitations`, {
    token: owner.token,
    body: { email: member.email, role },
  });
  if (invite.status !== 201) throw new Error(`invite failed: ${invite.status} ${await invite.text()}`);
  const accept = await api(`/v1/invitations/${await invitationToken(member.email)}/accept`, {
    method: "POST",
    token: member.token,
  });
  if (accept.status !== 200) throw new Error(`accept failed: ${accept.status} ${await accept.text()}`);
  return member;
}
