/**
 * The web app: server-rendered pages (Hono JSX) in the same Worker as the API, calling the same services
 * (never the API over HTTP). Every flow is a plain HTML form (POST → 303 → GET); small scripts from
 * /assets add what forms cannot. Pages live in pages/<area>/; each area is one router mounted here.
 */
import { Hono } from "hono";
import { apiRateLimit } from "../middleware/rate-limit.ts";
import type { AppEnv } from "../types.ts";
import { formGuards } from "./forms.ts";
import { adminPages } from "./pages/admin/index.tsx";
import { authPages } from "./pages/auth.tsx";
import { buyerPages } from "./pages/buyer/index.tsx";
import { messagePages } from "./pages/messages.tsx";
import { negotiationPages } from "./pages/negotiation/index.tsx";
import { orgPages } from "./pages/org/index.tsx";
import { passwordResetPages } from "./pages/password-reset.tsx";
import { sellerPages } from "./pages/seller/index.tsx";
import { storefrontPages } from "./pages/storefront.tsx";
import { verifyEmailPages } from "./pages/verify-email.tsx";
import { webError } from "./render.tsx";

/**
 * The pages' Content-Security-Policy: scripts and styles only from this origin (no inline script at all,
 * so cached pages need no nonce), images from here and data: (placeholders), uploads PUT to the R2 endpoint.
 */
export function contentSecurityPolicy(uploadOrigin: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${uploadOrigin}`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join("; ");
}

/** Paths that belong to the web app: everything but the API, its documents, probes and static assets. */
export function isPagePath(path: string): boolean {
  return !/^\/(v1|docs|openapi\.json|health|ready|cdn-cgi|assets)(\/|$)/.test(path);
}

function uploadOrigin(endpoint: string | undefined): string {
  return endpoint ? new URL(endpoint).origin : "";
}

export const webApp = new Hono<AppEnv>();

// Mounted at "/": middleware must step aside for API requests, which have their own guards.
webApp.use(async (c, next) => {
  if (!isPagePath(c.req.path)) return next();
  await next();
  if (c.res.headers.get("content-type")?.startsWith("text/html")) {
    c.res.headers.set(
      "Content-Security-Policy",
      contentSecurityPolicy(uploadOrigin(c.var.config.R2_S3_ENDPOINT)),
    );
    // Only the origin ever leaves a page as Referer (no path, so no token in a query leaks), and never on
    // a downgrade. Not no-referrer: under it browsers send `Origin: null` with form posts, which the
    // same-origin check must refuse.
    c.res.headers.set("Referrer-Policy", "strict-origin");
    if (!c.res.headers.has("cache-control")) c.res.headers.set("Cache-Control", "private, no-store");
  }
});
// The API's per-IP flood guard, counted apart for pages (a cached page still counts: it is cheap to
// count and an uncached search is not).
const limitPages = apiRateLimit("web");
webApp.use((c, next) => (isPagePath(c.req.path) ? limitPages(c, next) : next()));
const guardForms = formGuards();
webApp.use((c, next) => (isPagePath(c.req.path) ? guardForms(c, next) : next()));

webApp
  .route("/", storefrontPages)
  .route("/", authPages)
  .route("/", passwordResetPages)
  .route("/", verifyEmailPages)
  .route("/", buyerPages)
  .route("/", sellerPages)
  .route("/", orgPages)
  .route("/", messagePages)
  .route("/", negotiationPages)
  .route("/", adminPages);

webApp.onError(webError);
