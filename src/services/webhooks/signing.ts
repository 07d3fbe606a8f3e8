import { base64url, fromBase64url } from "../../lib/crypto.ts";

/** Prefix of a Standard Webhooks signing secret: `whsec_` + base64 of the key bytes. */
const SECRET_PREFIX = "whsec_";

/** A new signing secret: 32 random bytes, in the Standard Webhooks `whsec_<base64>` form receivers expect. */
export function newSigningSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return SECRET_PREFIX + btoa(String.fromCharCode(...bytes));
}

function secretBytes(secret: string): Uint8Array {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0));
}

/**
 * The headers of a Standard Webhooks delivery (https://www.standardwebhooks.com): `webhook-id` (the same
 * on every retry of one message: receivers deduplicate by it), `webhook-timestamp` (seconds) and
 * `webhook-signature`: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for each current secret,
 * space-separated (two during a rotation's overlap).
 */
export async function signatureHeaders(
  id: string,
  timestampSeconds: number,
  body: string,
  secrets: readonly string[],
): Promise<Record<string, string>> {
  const content = new TextEncoder().encode(`${id}.${timestampSeconds}.${body}`);
  const signatures = await Promise.all(
    secrets.map(async (secret) => {
      const key = await crypto.subtle.importKey(
        "raw",
        secretBytes(secret),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      );
      const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, content));
      return `v1,${btoa(String.fromCharCode(...mac))}`;
    }),
  );
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": signatures.join(" "),
  };
}

/**
 * Encrypts a signing secret for storage (AES-256-GCM under WEBHOOK_SECRETS_KEY, a fresh 12-byte IV each
 * time): `<iv>.<ciphertext>` in base64url. The endpoint id is bound as additional data, so a ciphertext
 * copied onto another endpoint does not decrypt.
 */
export async function sealSecret(keyBase64: string, endpointId: string, secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(endpointId) },
    await aesKey(keyBase64),
    new TextEncoder().encode(secret),
  );
  return `${base64url(iv)}.${base64url(new Uint8Array(sealed))}`;
}

export async function openSecret(keyBase64: string, endpointId: string, sealed: string): Promise<string> {
  const [iv, data] = sealed.split(".");
  if (!iv || !data) throw new Error("malformed sealed webhook secret");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64url(iv), additionalData: new TextEncoder().encode(endpointId) },
    await aesKey(keyBase64),
    fromBase64url(data),
  );
  return new TextDecoder().decode(plain);
}

function aesKey(keyBase64: string): Promise<CryptoKey> {
  const raw = Uint8Array.from(atob(keyBase64), (char) => char.charCodeAt(0));
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}
