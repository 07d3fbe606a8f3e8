import { Hono } from "hono";
import type { AppEnv } from "../../../types.ts";

/** The seller area of the web app. */
export const sellerPages = new Hono<AppEnv>();
