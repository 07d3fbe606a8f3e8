import { neonHttp } from "../../src/db/client.ts";
import { testConfig } from "./env.ts";

/** Raw SQL against the test database, for arranging and inspecting state around the API. */
export function sql() {
  return neonHttp(testConfig());
}

export async function one<T>(query: string, params: unknown[] = []): Promise<T> {
  const rows = await sql().query(query, params);
  return rows[0] as T;
}
