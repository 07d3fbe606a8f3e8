import { expect } from "vitest";
import { edgeCache } from "../../src/http/edge-cache.ts";

/**
 * How long a cache may hand out a response with this Cache-Control: its fresh life plus every stale
 * allowance (the Workers Cache API keeps an entry for max-age + stale-while-revalidate).
 */
export function servableSeconds(cacheControl: string | null): number {
  const directives = new Map(
    (cacheControl ?? "")
      .split(",")
      .filter((part) => part.trim())
      .map((part) => {
        const [name = "", value = "0"] = part.trim().toLowerCase().split("=");
        return [name, Number(value)] as const;
      }),
  );
  if (directives.has("no-store") || directives.has("no-cache")) return 0;
  const fresh = directives.get("s-maxage") ?? directives.get("max-age") ?? 0;
  return fresh + (directives.get("stale-while-revalidate") ?? 0) + (directives.get("stale-if-error") ?? 0);
}

/** The copy the Worker put in this location's edge cache under `key` (the put runs in waitUntil). */
export async function edgeCopy(key: Request): Promise<Response> {
  let cached: Response | undefined;
  await expect.poll(async () => (cached = await edgeCache().match(key)), { timeout: 2000 }).toBeDefined();
  if (!cached) throw new Error(`nothing in the edge cache for ${key.url}`);
  return cached;
}
