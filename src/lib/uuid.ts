import { z } from "zod";

/**
 * A UUID a client sends (path, query or body). Postgres compares uuids case-insensitively, so every
 * spelling of one id is accepted and canonicalised to lower case at validation: no code after it ever
 * sees two spellings of one id (lock keys, cache keys and cursor scopes are built from the text).
 */
export const uuidInput = () => z.uuid().toLowerCase();
