import { env } from "cloudflare:workers";
import { readConfig } from "../../src/env.ts";

/** The validated config of the test Worker (DATABASE_URL and LOCAL_DB_PROXY come from the global setup). */
export function testConfig() {
  return readConfig(env);
}
