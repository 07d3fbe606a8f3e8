import type { Db } from "../db/client.ts";
import type { PasswordParams } from "./identity/password.ts";
import type { SessionPolicy } from "./identity/sessions.ts";

/** What a service needs from the outside world; built per request by the handler, free of Hono. */
export interface ServiceContext {
  db: Db;
  kv: KVNamespace;
  /** Milliseconds since the epoch, from the request's clock. */
  now: number;
  sessionPolicy: SessionPolicy;
  /** CURSOR_SECRET: signs keyset cursors (services/catalog/cursor.ts). */
  cursorSecret: string;
  /** scrypt parameters for new password hashes (PASSWORD_HASH_COST). */
  passwordParams: PasswordParams;
}
