import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { problemResponse } from "../http/problem.ts";
import type { AppEnv } from "../types.ts";

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

function hasBody(request: Request): boolean {
  const length = request.headers.get("content-length");
  if (length !== null) return length !== "0";
  return request.body !== null;
}

/**
 * Request bodies must be JSON and no larger than MAX_BODY_BYTES (checked against Content-Length and
 * while streaming, so a lying or missing length cannot get past it).
 */
export function bodyGuards(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!hasBody(c.req.raw)) return next();
    const type = c.req.header("content-type") ?? "";
    if (!JSON_TYPE.test(type)) {
      return problemResponse(
        c,
        "unsupported_media_type",
        `Request bodies must be application/json${type ? `, not ${type.split(";")[0]}` : ""}.`,
      );
    }
    const maxSize = c.var.config.MAX_BODY_BYTES;
    return bodyLimit({
      maxSize,
      onError: (ctx) =>
        problemResponse(ctx, "payload_too_large", `Request bodies are limited to ${maxSize} bytes.`),
    })(c, next);
  };
}
