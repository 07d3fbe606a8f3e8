import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../types.ts";
import { fieldErrors, problemResponse } from "./problem.ts";

/**
 * An OpenAPI router whose validation failures answer with problem+json listing each bad field.
 * Use it for the app and for every resource router.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const where = result.target === "json" ? "body" : result.target;
        return problemResponse(c, "validation_failed", `The request ${where} has invalid fields.`, {
          errors: fieldErrors(result.error, where),
        });
      }
    },
  });
}
