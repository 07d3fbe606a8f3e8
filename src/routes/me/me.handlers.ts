import { userOf } from "../../middleware/auth.ts";
import { changePassword as changePasswordService, sessionView } from "../../services/identity/accounts.ts";
import * as me from "../../services/identity/me.ts";
import type { AppRouteHandler } from "../../types.ts";
import { serviceContext, setSessionCookie, userAgent } from "../context.ts";
import { deviceInput } from "../device-cookie.ts";
import type { changePassword, getMe, listSessions, revokeOtherSessions, revokeSession } from "./me.routes.ts";

export const getMeHandler: AppRouteHandler<typeof getMe> = async (c) =>
  c.json(await me.getMe(serviceContext(c), userOf(c)), 200);

export const listSessionsHandler: AppRouteHandler<typeof listSessions> = async (c) =>
  c.json({ sessions: await me.listSessions(serviceContext(c), userOf(c)) }, 200);

export const revokeSessionHandler: AppRouteHandler<typeof revokeSession> = async (c) => {
  await me.revokeSession(serviceContext(c), userOf(c), c.req.valid("param").sessionId);
  return c.body(null, 204);
};

export const revokeOtherSessionsHandler: AppRouteHandler<typeof revokeOtherSessions> = async (c) =>
  c.json({ revoked: await me.revokeOtherSessions(serviceContext(c), userOf(c)) }, 200);

export const changePasswordHandler: AppRouteHandler<typeof changePassword> = async (c) => {
  const session = await changePasswordService(serviceContext(c), userOf(c), {
    ...c.req.valid("json"),
    userAgent: userAgent(c),
    device: deviceInput(c),
  });
  setSessionCookie(c, session);
  return c.json({ session: sessionView(session) }, 200);
};
