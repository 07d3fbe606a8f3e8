/** The Workers Cache API of this location (`caches.default`; the DOM typings do not know it). */
export function edgeCache(): Cache {
  return (caches as unknown as { default: Cache }).default;
}

/** Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks for GET). */
export function ifNoneMatchHits(header: string | undefined, etag: string | null): boolean {
  if (!header || !etag) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((candidate) => strip(candidate) === strip(etag));
}
