import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../http/problem.ts";
import { createRouter } from "../../http/router.ts";
import { ApiError } from "../../lib/problem.ts";
import { readMailbox } from "../../services/email/mailbox.ts";
import { serviceContext } from "../context.ts";
import { email, jsonResponse, publicAccess } from "../schemas.ts";

const mailbox = createRoute({
  operationId: "devMailbox",
  security: publicAccess,
  method: "get",
  path: "/v1/dev/mailbox",
  tags: ["Development"],
  summary: "What the development email provider delivered (only when DEV_MAILBOX is on; never in production)",
  request: { query: z.object({ to: email.optional() }) },
  responses: {
    200: jsonResponse(
      z
        .object({
          messages: z.array(
            z.object({
              id: z.uuid(),
              to: z.string(),
              template: z.string(),
              subject: z.string(),
              body: z.string().openapi({ description: "The plain-text part" }),
              html: z.string(),
              createdAt: z.iso.datetime(),
            }),
          ),
        })
        .openapi("DevMailbox"),
      "Newest first, at most 50",
    ),
    ...problemResponses(400, 404),
  },
});

export const devRouter = createRouter().openapi(mailbox, async (c) => {
  if (c.var.config.DEV_MAILBOX !== "on") throw new ApiError("not_found", `No route for GET ${c.req.path}.`);
  c.header("Cache-Control", "no-store");
  return c.json({ messages: await readMailbox(serviceContext(c), c.req.valid("query").to) }, 200);
});
