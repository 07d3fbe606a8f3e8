import { Hono } from "hono";
import type { AppEnv } from "../../../types.ts";

/** The admin area of the web app. */
export const adminPages = new Hono<AppEnv>();
