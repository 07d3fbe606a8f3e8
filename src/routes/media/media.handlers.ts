import { edgeCache, ifNoneMatchHits, putInEdgeCache, replayed } from "../../http/edge-cache.ts";
import { ApiError } from "../../lib/problem.ts";
import { principalOf } from "../../middleware/auth.ts";
import * as uploads from "../../services/media/uploads.ts";
import type { AppRouteHandler, RouteResult } from "../../types.ts";
import { serviceContext } from "../context.ts";
import type * as routes from "./media.routes.ts";

export const createUploadHandler: AppRouteHandler<typeof routes.createUpload> = async (c) => {
  const upload = await uploads.createUpload(
    serviceContext(c),
    c.var.config,
    principalOf(c),
    c.req.valid("param").orgId,
    c.req.valid("json"),
  );
  c.header("Cache-Control", "no-store");
  return c.json(upload, 201);
};

export const completeUploadHandler: AppRouteHandler<typeof routes.completeUpload> = async (c) => {
  const { orgId, uploadId } = c.req.valid("param");
  return c.json(
    await uploads.completeUpload(serviceContext(c), c.env.FILES, principalOf(c), orgId, uploadId),
    200,
  );
};

export const documentUrlHandler: AppRouteHandler<typeof routes.documentUrl> = async (c) => {
  const { orgId, fileId } = c.req.valid("param");
  c.header("Cache-Control", "no-store");
  return c.json(
    await uploads.documentUrl(serviceContext(c), c.var.config, principalOf(c), orgId, fileId),
    200,
  );
};

const YEAR_SECONDS = 31_536_000;
const IMMUTABLE = `public, max-age=${YEAR_SECONDS}, immutable`;
/** Public images may be embedded by storefronts on any origin (everything else stays same-origin). */
const EMBEDDABLE = { "cross-origin-resource-policy": "cross-origin", "x-content-type-options": "nosniff" };

/** Where a public image is kept in the Workers Cache API (per location). */
export function fileCacheKey(fileId: string): Request {
  return new Request(`https://file-cache.internal/v1/files/${fileId.toLowerCase()}`);
}

/** Images are immutable (a new upload gets a new id): edge-cached for a year, then R2 conditional reads. */
export const getFileHandler: AppRouteHandler<typeof routes.getFile> = async (c) => {
  const { fileId } = c.req.valid("param");
  const key = fileCacheKey(fileId);
  let response = await edgeCache().match(key);
  if (!response) {
    const image = await uploads.publicImage(serviceContext(c), fileId);
    if (!image) throw new ApiError("not_found", "File not found.");
    const object = await c.env.FILES.get(image.key);
    if (!object) throw new ApiError("not_found", "File not found.");
    response = new Response(object.body, {
      headers: {
        "content-type": image.contentType,
        "content-length": String(object.size),
        "cache-control": IMMUTABLE,
        etag: object.httpEtag,
        ...EMBEDDABLE,
      },
    });
    putInEdgeCache(c, key, response, YEAR_SECONDS);
  }
  const etag = response.headers.get("etag");
  if (etag && ifNoneMatchHits(c.req.header("if-none-match"), etag)) {
    return replayed<RouteResult<typeof routes.getFile>>(
      new Response(null, {
        status: 304,
        headers: { etag, "cache-control": IMMUTABLE, ...EMBEDDABLE },
      }),
    );
  }
  const headers = new Headers(response.headers);
  headers.set("cache-control", IMMUTABLE);
  for (const [name, value] of Object.entries(EMBEDDABLE)) headers.set(name, value);
  return replayed<RouteResult<typeof routes.getFile>>(new Response(response.body, { status: 200, headers }));
};
