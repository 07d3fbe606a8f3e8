import type { RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../types.ts";

interface Parser {
  safeParse(value: unknown): {
    success: boolean;
    error?: { issues: { path: PropertyKey[]; message: string }[] };
  };
}

function jsonSchemaFor(route: RouteConfig, status: number): Parser | undefined {
  const response = route.responses[status] ?? route.responses[String(status)];
  if (!response || !("content" in response)) return undefined;
  const media = response.content?.["application/json"];
  const schema = media && "schema" in media ? media.schema : undefined;
  return schema && typeof (schema as Partial<Parser>).safeParse === "function"
    ? (schema as Parser)
    : undefined;
}

/**
 * The contract, enforced where tests run (ENVIRONMENT=test): a 2xx JSON body must parse with the schema
 * the route declares for that status, or the request fails with a 500 that names what broke, so the test
 * that caused it fails. Elsewhere it costs one comparison.
 */
export function responseContract(route: RouteConfig): MiddlewareHandler<AppEnv> {
  const where = `${route.method.toUpperCase()} ${route.path}`;
  return async (c, next) => {
    await next();
    if (c.var.config?.ENVIRONMENT !== "test") return;
    const status = c.res.status;
    if (status < 200 || status > 299) return;
    if (!c.res.headers.get("content-type")?.startsWith("application/json")) return;
    const schema = jsonSchemaFor(route, status);
    let problem: string | undefined;
    if (!schema) problem = `${where} answered ${status} with JSON but declares no JSON schema for it`;
    else {
      const body: unknown = await c.res.clone().json();
      const result = schema.safeParse(body);
      if (!result.success) {
        const issues = (result.error?.issues ?? [])
          .slice(0, 5)
          .map((issue) => `${issue.path.map(String).join(".") || "(body)"}: ${issue.message}`);
        problem = `${where} ${status} body breaks its schema: ${issues.join("; ")}`;
      }
    }
    if (problem) {
      c.var.logger?.error("response contract broken", { problem });
      c.res = new Response(
        JSON.stringify({
          type: "urn:problem:response_contract",
          title: "Response contract broken",
          status: 500,
          detail: problem,
        }),
        { status: 500, headers: { "content-type": "application/problem+json" } },
      );
    }
  };
}
