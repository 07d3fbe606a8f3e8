import type { MiddlewareHandler } from "hono";
import { ApiError } from "../lib/problem.ts";
import type { AppEnv } from "../types.ts";

function ipv4Octets(text: string): number[] | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) return undefined;
  const octets = text.split(".").map(Number);
  return octets.every((octet) => octet <= 255) ? octets : undefined;
}

/** The eight 16-bit groups of an IPv6 address in any textual form (RFC 4291 §2.2), or undefined. */
function ipv6Groups(text: string): number[] | undefined {
  let rest = text;
  const embedded = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(rest);
  if (embedded?.[1] && embedded[2]) {
    const octets = ipv4Octets(embedded[2]);
    if (!octets) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = octets;
    rest = `${embedded[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = rest.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined) => (part ? part.split(":") : []);
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<string>(missing).fill("0"), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return undefined;
  return groups.map((group) => Number.parseInt(group, 16));
}

/**
 * The key a client address is rate-limited under. IPv4 counts per address. IPv6 counts per /64, the
 * smallest block a provider hands one subscriber (anyone may rotate through its 2^64 addresses), in one
 * canonical form whatever the spelling; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) counts as its IPv4
 * address. Anything else (absent, malformed) has no key.
 *
 * @example rateLimitKey("2001:DB8:0:1::7") // "2001:db8:0:1::/64"
 */
export function rateLimitKey(address: string | undefined): string | undefined {
  const text = address
    ?.trim()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/%.*$/, "");
  if (!text) return undefined;
  const v4 = ipv4Octets(text);
  if (v4) return v4.join(".");
  const groups = ipv6Groups(text);
  if (!groups) return undefined;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":")}::/64`;
}

/**
 * A per-IP flood guard on the API (Workers Rate Limiting binding: counted per location, cheap, no I/O to
 * our stores), keyed by rateLimitKey(). Behind Cloudflare every request carries CF-Connecting-IP; requests
 * without a usable one only exist off Cloudflare (local tools, tests), and are not limited per address.
 */
export function apiRateLimit(prefix = "api"): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = rateLimitKey(c.req.header("cf-connecting-ip"));
    if (key) {
      const { success } = await c.env.API_IP_LIMITER.limit({ key: `${prefix}:${key}` });
      if (!success) {
        throw new ApiError("rate_limited", "Too many requests from this address; slow down.", {
          headers: { "Retry-After": "60" },
        });
      }
    }
    await next();
  };
}
