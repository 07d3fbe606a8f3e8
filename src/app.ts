import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { eventCatalogue, eventEnvelopes, eventTypes } from "./contracts/events.ts";
import { allowedMethodsIndex } from "./http/allowed-methods.ts";
import { handleError, problemResponse } from "./http/problem.ts";
import { createRouter } from "./http/router.ts";
import { bodyGuards } from "./middleware/body-guards.ts";
import { corsFromConfig } from "./middleware/cors.ts";
import { noStoreWhenPersonal } from "./middleware/no-store.ts";
import { apiRateLimit } from "./middleware/rate-limit.ts";
import { requestContext } from "./middleware/request-context.ts";
import { apiKeysRouter } from "./routes/api-keys/api-keys.index.ts";
import { authRouter } from "./routes/auth/auth.index.ts";
import { devRouter } from "./routes/dev/dev.index.ts";
import { docsRouter } from "./routes/docs/docs.index.ts";
import { healthRouter } from "./routes/health/health.index.ts";
import { invitationsRouter } from "./routes/invitations/invitations.index.ts";
import { catalogRouter, sellerListingsRouter } from "./routes/listings/listings.index.ts";
import { meRouter } from "./routes/me/me.index.ts";
import { mediaRouter } from "./routes/media/media.index.ts";
import { messagesRouter } from "./routes/messages/messages.index.ts";
import { negotiationRouter } from "./routes/negotiation/negotiation.index.ts";
import { ordersRouter } from "./routes/orders/orders.index.ts";
import { orgsRouter } from "./routes/orgs/orgs.index.ts";
import { reviewsRouter } from "./routes/reviews/reviews.index.ts";
import { webhooksRouter } from "./routes/webhooks/webhooks.index.ts";
import { isPagePath, webApp } from "./web/index.ts";
import { errorPage } from "./web/render.tsx";

export const API_VERSION = "0.1.0";

/** The OpenAPI document's head: this deployment's own origin is its one server. */
/** The document's introduction (Markdown, shown by /docs): what the API is, and the flows that span routes. */
const API_DESCRIPTION = `Companies sell to companies: listings with volume pricing, search, multi-seller orders,
and negotiated deals.

## Negotiating a deal (requests for quotes)
Paths below are under \`/v1/orgs/{orgId}\`.
1. The buyer asks for quotes: \`POST …/rfqs\`, addressed to one seller (\`sellerOrgId\` or \`listingId\`) or open
   to a category (\`categoryId\`). Drawings are uploaded first through \`…/negotiation-files\` (a presigned PUT to
   storage, then \`/complete\`) and attached by id.
2. Sellers find it in \`GET …/rfqs?side=seller\` and answer with a quote: \`POST …/rfqs/{rfqId}/quotes\` (lines,
   unit prices, validity, lead time, payment terms).
3. They negotiate in immutable versions: the buyer counters (\`…/counters\`), the seller revises
   (\`…/revisions\`), each naming the version it answers (\`basedOnVersion\`). Either side may end it
   (\`…/decline\`, \`…/withdraw\`); conversations run in \`…/threads\`.
4. The buyer accepts the seller's latest version (\`…/quotes/{quoteId}/accept\`, with an \`Idempotency-Key\`).
   The order is placed exactly like a checkout (spending limits and approval, stock reserved, one round trip)
   at the quoted prices; the RFQ is awarded and its other quotes close. A superseded, expired, withdrawn,
   declined or countered version is 409 with a \`reason\`.
5. After delivery and completion, the buyer reviews the seller: \`PUT …/orders/{orderId}/review\`.

## Receiving events (webhooks)
1. An owner or admin adds an endpoint: \`POST …/webhooks\` with an https \`url\` and the \`eventTypes\` to
   receive (the webhooks section lists them). The answer carries the signing secret, once.
2. Each event of the organisation is POSTed as JSON with Standard Webhooks headers: verify
   \`webhook-signature\` with any Standard Webhooks library and deduplicate by \`webhook-id\`.
3. Answer 2xx within 10 s. Failures are retried for about a day; \`…/webhooks/{id}/deliveries\` shows every
   attempt and \`…/redeliveries\` sends one again.

## Accounts
Sign-up answers 202 and emails a verification link; checkout, quote acceptance, invitations, listing
submission and API keys wait for a verified address. Forgotten passwords: \`POST /v1/auth/password-reset\`.`;

export function openApiInfo(publicUrl: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Edge B2B Marketplace API",
      version: API_VERSION,
      description: API_DESCRIPTION,
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
    },
    servers: [{ url: publicUrl, description: "This deployment" }],
  };
}

/**
 * Builds the whole API: the Worker entry and the tests use the same app.
 * Order matters: request id first (every log line and problem carries it), then the per-request
 * context (config, DB, meter, log line), security headers, no-store for personal responses, CORS, body
 * checks, routes.
 */
export interface AppOptions {
  /** The clock; tests inject one to move time. */
  now?: () => number;
}

export function createApp(options: AppOptions = {}) {
  const app = createRouter();

  app.use(requestId({ headerName: "X-Request-Id" }));
  app.use(requestContext(options.now));
  // A header a handler set itself stands (public images: CORP cross-origin; /docs: its own CSP).
  app.use(secureHeaders({ overwrite: false }));
  app.use(noStoreWhenPersonal());
  app.use(corsFromConfig());
  app.use("/v1/*", apiRateLimit());
  app.use("/v1/*", bodyGuards());

  const routes = app
    .route("/", healthRouter)
    .route("/", authRouter)
    .route("/", meRouter)
    .route("/", orgsRouter)
    .route("/", invitationsRouter)
    .route("/", apiKeysRouter)
    .route("/", catalogRouter)
    .route("/", sellerListingsRouter)
    .route("/", mediaRouter)
    .route("/", ordersRouter)
    .route("/", negotiationRouter)
    .route("/", reviewsRouter)
    .route("/", webhooksRouter)
    .route("/", messagesRouter)
    .route("/", devRouter)
    .route("/", docsRouter)
    // The web app last: its pages never shadow an API route (see web/index.ts isPagePath).
    .route("/", webApp);

  app.openAPIRegistry.registerComponent("securitySchemes", "sessionCookie", {
    type: "apiKey",
    in: "cookie",
    name: "__Host-session",
    description: "Set by sign-up and login. Unsafe requests need a same-origin Origin header (CSRF).",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "A session token (`ses_…`) or an organisation API key (`mk_…`).",
  });

  // The event catalogue, as what webhook delivery will POST: one webhook per event type and version.
  for (const type of eventTypes) {
    app.openAPIRegistry.registerWebhook({
      method: "post",
      path: type,
      operationId: `event_${type.replace(/\W/g, "_")}`,
      summary: eventCatalogue[type].description,
      tags: ["Events"],
      security: [],
      request: {
        body: { content: { "application/json": { schema: eventEnvelopes[type] } } },
      },
      responses: { 204: { description: "Received" } },
    });
  }

  app.doc31("/openapi.json", (c) => openApiInfo(c.var.config.PUBLIC_URL));

  const allowedMethods = allowedMethodsIndex(app);
  app.notFound((c) => {
    const allowed = allowedMethods(c.req.path);
    if (allowed.length > 0) {
      return problemResponse(c, "method_not_allowed", `${c.req.method} is not allowed here.`, {
        headers: { Allow: allowed.join(", ") },
      });
    }
    const wantsPage = c.req.header("accept")?.includes("text/html") ?? false;
    if (wantsPage && isPagePath(c.req.path) && (c.req.method === "GET" || c.req.method === "HEAD")) {
      return errorPage(c, 404);
    }
    return problemResponse(c, "not_found", `No route for ${c.req.method} ${c.req.path}.`);
  });
  app.onError(handleError);

  return routes;
}

export type AppType = ReturnType<typeof createApp>;
