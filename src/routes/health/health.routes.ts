import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses, problemSchema } from "../../http/problem.ts";
import { PROBLEM_CONTENT_TYPE } from "../../lib/problem.ts";
import { publicAccess } from "../schemas.ts";

const checkSchema = z
  .object({
    ok: z.boolean(),
    ms: z.number().openapi({ description: "Latency of the check in milliseconds" }),
    error: z.enum(["unreachable", "timeout"]).optional(),
  })
  .openapi("DependencyCheck");

export const readinessSchema = z
  .object({
    status: z.enum(["ok"]),
    checks: z.object({ postgres: checkSchema, kv: checkSchema, r2: checkSchema }),
  })
  .openapi("Readiness");

export const liveness = createRoute({
  operationId: "liveness",
  security: publicAccess,
  method: "get",
  path: "/health",
  tags: ["Health"],
  summary: "Liveness: the Worker answers (no I/O)",
  responses: {
    200: {
      description: "The Worker is running",
      content: { "application/json": { schema: z.object({ status: z.literal("ok") }).openapi("Liveness") } },
    },
  },
});

export const readiness = createRoute({
  operationId: "readiness",
  security: publicAccess,
  method: "get",
  path: "/ready",
  tags: ["Health"],
  summary: "Readiness: Postgres, KV and R2 each answer",
  description: "One database round trip. 503 names each dependency that failed.",
  responses: {
    200: {
      description: "Every dependency answered",
      content: { "application/json": { schema: readinessSchema } },
    },
    503: {
      description: "A dependency failed; `checks` tells which",
      content: {
        [PROBLEM_CONTENT_TYPE]: {
          schema: problemSchema.extend({ checks: readinessSchema.shape.checks }),
        },
      },
    },
    ...problemResponses(500),
  },
});
