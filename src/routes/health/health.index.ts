import { createRouter } from "../../http/router.ts";
import { livenessHandler, readinessHandler } from "./health.handlers.ts";
import { liveness, readiness } from "./health.routes.ts";

export const healthRouter = createRouter()
  .openapi(liveness, livenessHandler)
  .openapi(readiness, readinessHandler);
