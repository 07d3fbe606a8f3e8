import { Hono } from "hono";
import type { AppEnv } from "../../../types.ts";

/** The buyer area of the web app. */
export const buyerPages = new Hono<AppEnv>();
