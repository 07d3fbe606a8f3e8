import type { OpenAPIHono, RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Db } from "./db/client.ts";
import type { DbMeter } from "./db/meter.ts";
import type { Bindings, Config } from "./env.ts";
import type { Logger } from "./lib/logger.ts";
import type { Principal } from "./services/identity/principal.ts";

/** What every handler finds on `c.var`; all of it is made per request. */
export interface AppVariables {
  requestId: string;
  config: Config;
  logger: Logger;
  dbMeter: DbMeter;
  db: Db;
  /** The clock (ms since epoch); injectable so tests can move time. */
  now: () => number;
  /** Who is calling: undefined until resolved, null when anonymous (see middleware/auth.ts). */
  principal: Principal | null | undefined;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: AppVariables;
}

export type AppOpenAPI = OpenAPIHono<AppEnv>;
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>;
/** What a typed route handler may return, without the plain `Response` some routes also allow. */
export type RouteResult<R extends RouteConfig> = Exclude<Awaited<ReturnType<AppRouteHandler<R>>>, Response>;
