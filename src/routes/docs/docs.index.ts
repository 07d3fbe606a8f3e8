import type { Context } from "hono";
import { Hono } from "hono";
import type { AppEnv } from "../../types.ts";

/**
 * What the API reference page may do: run Swagger UI's own script and styles from /docs, draw its inline
 * SVG/data images, and call this API (try-it-out, /openapi.json). Nothing from elsewhere, nothing inline
 * as script, no eval, and no page may frame it (it sends the visitor's cookie).
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Swagger UI's syntax highlighter writes style attributes into the markup it renders.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Serves a static file of public/docs (the ASSETS binding), adding the page's own CSP. */
async function docsAsset(c: Context<AppEnv>) {
  const asset = await c.env.ASSETS.fetch(c.req.raw);
  const response = new Response(asset.body, asset);
  response.headers.set("content-security-policy", DOCS_CSP);
  return response;
}

/**
 * `/docs` (Swagger UI) is static, but wrangler.toml runs the Worker first for it, so the page gets every
 * security header the API sends (the app's middleware) plus DOCS_CSP. Not part of the OpenAPI document.
 */
export const docsRouter = new Hono<AppEnv>().get("/docs", docsAsset).get("/docs/*", docsAsset);
