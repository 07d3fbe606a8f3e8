import type { Hono } from "hono";
import { METHOD_NAME_ALL } from "hono/router";
import { PatternRouter } from "hono/router/pattern-router";

/**
 * Answers "which methods does this path have?" for 405 responses. Hono itself only knows 404, so the
 * app's route table (method handlers only, no middleware) is indexed once per app instance.
 */
export function allowedMethodsIndex(app: Hono<never> | { routes: Hono["routes"] }) {
  let router: PatternRouter<string> | undefined;
  let methods: string[] = [];
  return (path: string): string[] => {
    if (!router) {
      router = new PatternRouter<string>();
      const seen = new Set<string>();
      for (const route of app.routes) {
        if (route.method === METHOD_NAME_ALL) continue;
        router.add(route.method, route.path, route.method);
        seen.add(route.method);
      }
      methods = [...seen];
    }
    const found = router;
    const allowed = methods.filter((method) => found.match(method, path)[0].length > 0);
    if (allowed.includes("GET") && !allowed.includes("HEAD")) allowed.push("HEAD");
    return allowed;
  };
}
