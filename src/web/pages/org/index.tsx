import { Hono } from "hono";
import type { AppEnv } from "../../../types.ts";

/** The org area of the web app. */
export const orgPages = new Hono<AppEnv>();
