import type { OpenAPIHono, RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Db } from "./db/client.ts";
import type { DbMeter } from "./db/meter.ts";
import type { Bindings, Config } from "./env.ts";
import type { Logger } from "./lib/logger.ts";

/** What every handler finds on `c.var`; all of it is made per request. */
export interface AppVariables {
  requestId: string;
  config: Config;
  logger: Logger;
  dbMeter: DbMeter;
  db: Db;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: AppVariables;
}

export type AppOpenAPI = OpenAPIHono<AppEnv>;
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>;
