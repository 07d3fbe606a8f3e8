import { base64url, constantTimeEqual, randomToken } from "../../lib/crypto.ts";

/**
 * Device cookies (OWASP, "Slow down online guessing attacks with device cookies"): a browser that signed
 * in to an account gets a cookie naming that account and a random device id, signed with
 * DEVICE_COOKIE_SECRET (HMAC-SHA256). A password check carrying a valid cookie for the account is counted
 * against that device only, so failures from anywhere else (an attacker holding the account in backoff)
 * never block it, and a stolen cookie is limited on its own count. It proves nothing else: it is no
 * session and grants no access.
 *
 * Value: `<userId>.<deviceId>.<expiresAt seconds>.<mac>`; nothing server-side but the failure counts.
 */
export const DEVICE_COOKIE = "device";
export const DEVICE_COOKIE_DAYS = 365;

export interface TrustedDevice {
  userId: string;
  deviceId: string;
}

export interface IssuedDevice extends TrustedDevice {
  value: string;
  expiresAt: Date;
}

const encoder = new TextEncoder();
// Imported once per isolate and secret; a lost entry is simply imported again.
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
    ]);
    keys.set(secret, key);
  }
  return key;
}

async function mac(secret: string, userId: string, deviceId: string, expiresAt: number): Promise<string> {
  const signed = encoder.encode(`device-cookie.v1|${userId}|${deviceId}|${expiresAt}`);
  return base64url(new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), signed)));
}

/** A cookie for the account: the given device id (a browser that is already trusted keeps it), or a new one. */
export async function issueDevice(
  secret: string,
  userId: string,
  now: number,
  deviceId = randomToken(16),
): Promise<IssuedDevice> {
  const expiresAt = Math.floor(now / 1000) + DEVICE_COOKIE_DAYS * 86_400;
  const value = `${userId}.${deviceId}.${expiresAt}.${await mac(secret, userId, deviceId, expiresAt)}`;
  return { userId, deviceId, value, expiresAt: new Date(expiresAt * 1000) };
}

/**
 * The device a cookie names, when it is one this server signed and it has not expired; otherwise undefined
 * (the client is then simply untrusted). The signature is compared in constant time.
 */
export async function verifyDevice(
  secret: string,
  value: string | undefined,
  now: number,
): Promise<TrustedDevice | undefined> {
  const match =
    /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([\w-]{22})\.(\d{1,12})\.([\w-]{43})$/.exec(
      value ?? "",
    );
  if (!match) return undefined;
  const [, userId, deviceId, expires, given] = match as unknown as [string, string, string, string, string];
  const expiresAt = Number(expires);
  const expected = await mac(secret, userId, deviceId, expiresAt);
  if (!constantTimeEqual(expected, given) || expiresAt * 1000 <= now) return undefined;
  return { userId, deviceId };
}
