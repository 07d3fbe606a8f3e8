import type { Context } from "hono";
import { ApiError } from "../../lib/problem.ts";
import { userOf } from "../../middleware/auth.ts";
import {
  login as loginService,
  logout as logoutService,
  sessionView,
  signup as signupService,
} from "../../services/identity/accounts.ts";
import {
  resendVerification as resendVerificationService,
  verifyEmail as verifyEmailService,
} from "../../services/identity/email-verification.ts";
import { requestPasswordReset, resetPassword } from "../../services/identity/password-reset.ts";
import type { AppEnv, AppRouteHandler } from "../../types.ts";
import { clearSessionCookie, clientIp, serviceContext, setSessionCookie, userAgent } from "../context.ts";
import { deviceInput, setDeviceCookie } from "../device-cookie.ts";
import type {
  confirmPasswordReset,
  login,
  logout,
  requestPasswordReset as requestReset,
  resendVerification,
  signup,
  verifyEmail,
} from "./auth.routes.ts";

/** Cheap per-IP limit (Workers Rate Limiting binding) in front of every password check. */
export async function limitPerIp(c: Context<AppEnv>, action: string) {
  const { success } = await c.env.LOGIN_IP_LIMITER.limit({ key: `${action}:${clientIp(c)}` });
  if (!success) {
    throw new ApiError("rate_limited", "Too many attempts from this address; wait a minute.", {
      headers: { "Retry-After": "60" },
    });
  }
}

/** The answer to every sign-up, whether or not the address was taken. */
export const VERIFICATION_SENT = {
  status: "verification_sent",
  detail:
    "Check your inbox: we have emailed this address a link to verify it and sign in. The link works once, " +
    "for 24 hours.",
} as const;

export const signupHandler: AppRouteHandler<typeof signup> = async (c) => {
  await limitPerIp(c, "signup");
  await signupService(serviceContext(c), { ...c.req.valid("json"), publicUrl: c.var.config.PUBLIC_URL });
  return c.json(VERIFICATION_SENT, 202);
};

export const verifyEmailHandler: AppRouteHandler<typeof verifyEmail> = async (c) => {
  // It checks the account's password: limited per IP like sign-in.
  await limitPerIp(c, "verify-email");
  const { user, session, device } = await verifyEmailService(serviceContext(c), {
    ...c.req.valid("json"),
    userAgent: userAgent(c),
    device: deviceInput(c),
  });
  setSessionCookie(c, session);
  setDeviceCookie(c, device);
  return c.json({ user, session: sessionView(session) }, 200);
};

export const resendVerificationHandler: AppRouteHandler<typeof resendVerification> = async (c) => {
  await resendVerificationService(serviceContext(c), userOf(c), { publicUrl: c.var.config.PUBLIC_URL });
  return c.json(
    {
      status: "verification_sent" as const,
      detail: "We have emailed you a new link. It works once, for 24 hours.",
    },
    202,
  );
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

/** The answer to every reset request, whether or not the address has an account. */
export const RESET_REQUESTED = {
  status: "reset_requested",
  detail:
    "If an account uses this address, we have emailed it a link to set a new password. The link works " +
    "once, for 30 minutes.",
} as const;

export const requestPasswordResetHandler: AppRouteHandler<typeof requestReset> = async (c) => {
  await limitPerIp(c, "password-reset");
  await requestPasswordReset(serviceContext(c), {
    email: c.req.valid("json").email,
    publicUrl: c.var.config.PUBLIC_URL,
  });
  return c.json(RESET_REQUESTED, 202);
};

export const confirmPasswordResetHandler: AppRouteHandler<typeof confirmPasswordReset> = async (c) => {
  // Hashing the new password is the expensive part: limited per IP like every password check.
  await limitPerIp(c, "password-reset-confirm");
  await resetPassword(serviceContext(c), c.req.valid("json"));
  return c.body(null, 204);
};
