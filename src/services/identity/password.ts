import { scrypt as scryptCallback } from "node:crypto";
import { base64url, constantTimeEqual, fromBase64url, randomToken } from "../../lib/crypto.ts";
import { commonPasswords } from "./common-passwords.ts";

/**
 * scrypt at N=2^14, r=8, p=5: one of OWASP's equivalent-strength scrypt settings, chosen because it fits
 * workerd's production limits (N·r·p = 655,360 ≤ 2^20; 16 MiB per hash, so a few logins can run in one
 * 128 MB isolate at once). PBKDF2 is capped at 100,000 iterations in production, a sixth of OWASP's
 * figure for PBKDF2-SHA256, so it is not used. Parameters are stored with each hash; a login with an
 * outdated hash rehashes it.
 */
export const currentParams = { N: 16384, r: 8, p: 5, keyLength: 32 } as const;

/**
 * A cost only tests may choose (`PASSWORD_HASH_COST=test`; production refuses it, see env.ts): about 60×
 * cheaper, so a suite that signs up thousands of accounts spends its time on the code under test.
 */
export const testParams = { N: 1024, r: 8, p: 1, keyLength: 32 } as const;

export type PasswordParams = { N: number; r: number; p: number; keyLength: number };
type Params = PasswordParams;

/** The parameters new hashes are made with, by the configured `PASSWORD_HASH_COST`. */
export function passwordParams(cost: "full" | "test"): PasswordParams {
  return cost === "test" ? testParams : currentParams;
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

function derive(password: string, salt: Uint8Array, params: Params): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    scryptCallback(
      password.normalize("NFKC"),
      salt,
      params.keyLength,
      { N: params.N, r: params.r, p: params.p, maxmem: 128 * params.N * params.r * 2 },
      (error, key) => (error ? reject(error) : resolve(new Uint8Array(key))),
    );
  });
}

/** `scrypt$N=16384,r=8,p=5$<salt>$<hash>` (base64url). */
export async function hashPassword(password: string, params: Params = currentParams): Promise<string> {
  const salt = fromBase64url(randomToken(16));
  const key = await derive(password, salt, params);
  return `scrypt$N=${params.N},r=${params.r},p=${params.p}$${base64url(salt)}$${base64url(key)}`;
}

function parseHash(stored: string): { params: Params; salt: Uint8Array; key: string } | undefined {
  const match = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([\w-]+)\$([\w-]+)$/.exec(stored);
  if (!match) return undefined;
  const [, n, r, p, salt, key] = match as unknown as [string, string, string, string, string, string];
  const keyLength = fromBase64url(key).length;
  return { params: { N: Number(n), r: Number(r), p: Number(p), keyLength }, salt: fromBase64url(salt), key };
}

/**
 * Checks a password against a stored hash in constant time. `needsRehash` is true when the hash was made
 * with other parameters than `current` (today's).
 */
export async function verifyPassword(
  password: string,
  stored: string,
  current: PasswordParams = currentParams,
): Promise<{ ok: boolean; needsRehash: boolean }> {
  const parsed = parseHash(stored);
  if (!parsed) return { ok: false, needsRehash: false };
  const key = await derive(password, parsed.salt, parsed.params);
  const ok = constantTimeEqual(base64url(key), parsed.key);
  const { N, r, p, keyLength } = parsed.params;
  const needsRehash =
    N !== current.N || r !== current.r || p !== current.p || keyLength !== current.keyLength;
  return { ok, needsRehash: ok && needsRehash };
}

const decoyHashes = new WeakMap<PasswordParams, Promise<string>>();
/**
 * Spends the same time as a real check, for unknown accounts: a wrong password and an unknown email
 * must be indistinguishable. The decoy hash is made once per isolate and cost (it guards nothing).
 */
export async function verifyDecoy(password: string, params: PasswordParams = currentParams): Promise<void> {
  let decoy = decoyHashes.get(params);
  if (!decoy) {
    decoy = hashPassword(randomToken(16), params);
    decoyHashes.set(params, decoy);
  }
  await verifyPassword(password, await decoy, params);
}

/** Why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, email?: string): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters`;
  if (length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`;
  if (commonPasswords.has(password.toLowerCase()))
    return "is one of the most common passwords; choose another";
  if (email && password.trim().toLowerCase() === email.trim().toLowerCase())
    return "must not be your email address";
  return undefined;
}
