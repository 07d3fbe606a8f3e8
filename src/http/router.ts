import { OpenAPIHono } from "@hono/zod-openapi";
import { fieldErrors } from "../lib/problem.ts";
import { responseContract } from "../middleware/response-contract.ts";
import type { AppEnv } from "../types.ts";
import { problemResponse, problemResponses } from "./problem.ts";

/**
 * An OpenAPI router whose validation failures answer with problem+json listing each bad field.
 * Use it for the app and for every resource router.
 */
export function createRouter() {
  const router = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const where = result.target === "json" ? "body" : result.target;
        return problemResponse(c, "validation_failed", `The request ${where} has invalid fields.`, {
          errors: fieldErrors(result.error, where),
        });
      }
    },
  });
  // Every route's responses are checked against its declared schemas where tests run.
  const register = router.openapi.bind(router);
  // Every /v1 route is behind the per-caller rate limit (app.ts), so every one documents its 429.
  router.openapi = ((route, handler, hook) => {
    const own = route.middleware === undefined ? [] : [route.middleware].flat();
    const responses = route.path.startsWith("/v1/")
      ? { ...problemResponses(429), ...route.responses }
      : route.responses;
    return register({ ...route, responses, middleware: [responseContract(route), ...own] }, handler, hook);
  }) as typeof router.openapi;
  return router;
}
