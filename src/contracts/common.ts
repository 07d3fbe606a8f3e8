/**
 * Response contracts shared by services (their return types) and routes (their OpenAPI schemas): plain
 * zod, no Hono. `.meta({ id })` makes each a named component of the OpenAPI document.
 */
import { z } from "zod";

/** Every timestamp the API returns: ISO 8601 in UTC with `Z` and milliseconds (db/json.ts renders it). */
export const timestamp = z.iso.datetime();

export const orgRef = z.object({ id: z.uuid(), name: z.string() }).meta({ id: "OrgRef" });

export const minor = z.number().int().meta({ description: "An amount in the currency's minor unit" });
