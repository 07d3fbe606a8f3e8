import type { Context } from "hono";
import { ApiError } from "../../lib/problem.ts";
import { userOf } from "../../middleware/auth.ts";
import {
  login as loginService,
  logout as logoutService,
  sessionView,
  signup as signupService,
} from "../../services/identity/accounts.ts";
import type { AppEnv, AppRouteHandler } from "../../types.ts";
import { clearSessionCookie, clientIp, serviceContext, setSessionCookie, userAgent } from "../context.ts";
import { deviceInput, setDeviceCookie } from "../device-cookie.ts";
import type { login, logout, signup } from "./auth.routes.ts";

/** Cheap per-IP limit (Workers Rate Limiting binding) in front of every password check. */
export async function limitPerIp(c: Context<AppEnv>, action: string) {
  const { success } = await c.env.LOGIN_IP_LIMITER.limit({ key: `${action}:${clientIp(c)}` });
  if (!success) {
    throw new ApiError("rate_limited", "Too many attempts from this address; wait a minute.", {
      headers: { "Retry-After": "60" },
    });
  }
}

export const signupHandler: AppRouteHandler<typeof signup> = async (c) => {
  await limitPerIp(c, "signup");
  const input = c.req.valid("json");
  const { user, session, device } = await signupService(serviceContext(c), {
    ...input,
    userAgent: userAgent(c),
    deviceSecret: c.var.config.DEVICE_COOKIE_SECRET,
  });
  setSessionCookie(c, session);
  setDeviceCookie(c, device);
  return c.json({ user, session: sessionView(session) }, 201);
};

export const loginHandler: AppRouteHandler<typeof login> = async (c) => {
  await limitPerIp(c, "login");
  const input = c.req.valid("json");
  const { user, session, device } = await loginService(serviceContext(c), {
    ...input,
    userAgent: userAgent(c),
    device: deviceInput(c),
  });
  setSessionCookie(c, session);
  setDeviceCookie(c, device);
  return c.json({ user, session: sessionView(session) }, 200);
};

export const logoutHandler: AppRouteHandler<typeof logout> = async (c) => {
  await logoutService(serviceContext(c), userOf(c));
  clearSessionCookie(c);
  return c.body(null, 204);
};
