/**
 * Where a webhook may be sent (SSRF guard), checked when an endpoint is saved and again before every
 * attempt. Production: `https` only, a host name or a public IP literal; never credentials in the URL,
 * never an IP literal in a private, loopback, link-local, shared, multicast, reserved or cloud-metadata
 * range (an IPv6 literal only in global unicast 2000::/3; one embedding an IPv4 address is judged by it),
 * never `localhost`/`*.localhost`/`*.local`/`*.internal` (trailing dots included). Redirects are never
 * followed (the sender uses `redirect: "manual"`). With WEBHOOK_ALLOW_LOOPBACK on (development), `http`
 * and loopback receivers are allowed too; other private ranges stay refused.
 *
 * Host names are not resolved here: a Worker's fetch leaves from Cloudflare's network, which does not route
 * to private address space, so a public name resolving to 10.0.0.1 reaches nothing of ours.
 */
export function webhookUrlProblem(raw: string, allowLoopback: boolean): string | null {
  const url = URL.parse(raw);
  if (!url) return "is not a valid URL";
  if (raw.length > 2048) return "is longer than 2048 characters";
  if (url.username || url.password) return "must not carry credentials";
  // A name's trailing dot (`localhost.`, `metadata.google.internal.`) names the same host: judge it without.
  const host = url.hostname.toLowerCase().replace(/\.+$/, "");
  const loopback = isLoopbackHost(host);
  if (url.protocol !== "https:" && !(allowLoopback && url.protocol === "http:" && loopback))
    return "must use https";
  if (loopback) return allowLoopback ? null : "must not point at this machine (loopback)";
  if (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host.endsWith(".local") ||
    host.endsWith(".internal")
  )
    return "must be a public host name";
  const v4 = parseIPv4(host);
  if (v4) return privateIPv4(v4) ? "must not point at a private, reserved or metadata address" : null;
  if (host.startsWith("[")) {
    const v6 = parseIPv6(host.slice(1, -1));
    if (!v6) return "is not a valid IPv6 address";
    return privateIPv6(v6) ? "must not point at a private, reserved or metadata address" : null;
  }
  if (!host.includes(".")) return "must be a fully qualified public host name";
  return null;
}

function isLoopbackHost(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  const v4 = parseIPv4(host);
  if (v4) return v4[0] === 127;
  if (host.startsWith("[")) {
    const v6 = parseIPv6(host.slice(1, -1));
    return Boolean(v6 && v6.slice(0, 7).every((part) => part === 0) && v6[7] === 1);
  }
  return false;
}

/** The URL parser has already normalised decimal, octal and hex forms to dotted quads. */
function parseIPv4(host: string): number[] | null {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part))) return null;
  const bytes = parts.map(Number);
  return bytes.every((byte) => byte <= 255) ? bytes : null;
}

function privateIPv4([a = 0, b = 0, c = 0]: number[]): boolean {
  return (
    a === 0 || // "this" network
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, cloud metadata (169.254.169.254)
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 0 && c === 0) || // IETF protocol assignments
    (a === 192 && b === 0 && c === 2) || // TEST-NET-1
    (a === 192 && b === 88 && c === 99) || // 6to4 relay anycast (deprecated)
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) || // TEST-NET-2
    (a === 203 && b === 0 && c === 113) || // TEST-NET-3
    a >= 224 // multicast, reserved, broadcast
  );
}

/**
 * Eight 16-bit groups, or null. The URL parser has already normalised the literal (lower-case hex,
 * `::` compression, an embedded dotted IPv4 rewritten as two hex groups).
 */
function parseIPv6(text: string): number[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string | undefined) =>
    part ? part.split(":").map((group) => Number.parseInt(group, 16)) : [];
  const left = parse(halves[0]);
  const right = parse(halves[1]);
  const fill = halves.length === 2 ? 8 - left.length - right.length : 0;
  if (fill < 0) return null;
  const groups = [...left, ...new Array<number>(fill).fill(0), ...right];
  if (groups.length !== 8 || groups.some((group) => Number.isNaN(group) || group < 0 || group > 0xffff))
    return null;
  return groups;
}

/**
 * Anything but global unicast (2000::/3) is refused; within it, the special-purpose blocks. Forms that
 * carry an IPv4 address (mapped, NAT64, 6to4) are judged by that address.
 */
function privateIPv6(groups: number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, , , g5 = 0, g6 = 0, g7 = 0] = groups;
  const v4 = (high: number, low: number) => [high >> 8, high & 0xff, low >> 8, low & 0xff];
  const zero = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0);
  if (zero(0, 5) && g5 === 0xffff) return privateIPv4(v4(g6, g7)); // IPv4-mapped ::ffff:a.b.c.d
  if (g0 === 0x64 && g1 === 0xff9b && zero(2, 6)) return privateIPv4(v4(g6, g7)); // NAT64 64:ff9b::/96
  if (g0 === 0x2002) return privateIPv4(v4(g1, g2)); // 6to4 2002:aabb:ccdd::/48
  return (
    (g0 & 0xe000) !== 0x2000 || // not global unicast: ::, ::1, IPv4-compatible, fc00::/7, fe80::/10, ff00::/8…
    (g0 === 0x2001 && g1 < 0x0200) || // IETF protocol assignments 2001::/23 (Teredo, benchmarking, ORCHID)
    (g0 === 0x2001 && g1 === 0x0db8) || // documentation
    (g0 === 0x3fff && g1 < 0x1000) // documentation 3fff::/20
  );
}
