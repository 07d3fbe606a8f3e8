import { Hono } from "hono";
import type { AppEnv } from "../../../types.ts";
import { categoryPages } from "./categories.tsx";
import { moderationPages } from "./moderation.tsx";

/** The admin area of the web app (platform admins; everyone else gets the 403 page). */
export const adminPages = new Hono<AppEnv>().route("/", moderationPages).route("/", categoryPages);
