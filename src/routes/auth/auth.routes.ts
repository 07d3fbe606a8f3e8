import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../http/problem.ts";
import { refuseCrossSite, requireUser } from "../../middleware/auth.ts";
import {
  authenticated,
  email,
  issuedSessionSchema,
  jsonBody,
  jsonResponse,
  password,
  publicAccess,
  text,
  userSchema,
} from "../schemas.ts";

const signedIn = z.object({ user: userSchema, session: issuedSessionSchema }).openapi("SignedIn");

export const signup = createRoute({
  operationId: "signup",
  security: publicAccess,
  method: "post",
  path: "/v1/auth/signup",
  tags: ["Auth"],
  summary: "Create an account and sign in",
  description:
    "Sets the `__Host-session` and `__Host-device` cookies and returns the bearer token once. Says when " +
    "an email is already " +
    "registered (a deliberate trade-off: sign-up cannot hide it without email verification).",
  middleware: [refuseCrossSite()] as const,
  request: {
    body: jsonBody(z.strictObject({ email, password, name: text(1, 100) })),
  },
  responses: {
    201: jsonResponse(signedIn, "Account created and signed in"),
    ...problemResponses(400, 403, 409, 413, 415, 429, 503),
  },
});

export const login = createRoute({
  operationId: "login",
  security: publicAccess,
  method: "post",
  path: "/v1/auth/login",
  tags: ["Auth"],
  summary: "Sign in",
  description:
    "A wrong password and an unknown email get the same 401. Failed attempts back off per account " +
    "(429 with Retry-After) and are limited per IP. Sets `__Host-session` and `__Host-device`: a browser " +
    "that has signed in before is counted apart, so failures from elsewhere never hold it out.",
  middleware: [refuseCrossSite()] as const,
  request: { body: jsonBody(z.strictObject({ email, password })) },
  responses: {
    200: jsonResponse(signedIn, "Signed in"),
    ...problemResponses(400, 401, 403, 413, 415, 429, 503),
  },
});

export const logout = createRoute({
  operationId: "logout",
  method: "post",
  path: "/v1/auth/logout",
  tags: ["Auth"],
  summary: "Sign out (ends this session)",
  security: authenticated,
  middleware: [requireUser()] as const,
  responses: {
    204: { description: "Signed out; the cookie is cleared" },
    ...problemResponses(401, 403, 503),
  },
});

const accountToken = text(1, 200).openapi({
  description: "The token from the emailed link (the `token` query parameter of its page).",
});

const emailSent = z
  .object({
    status: z.enum(["reset_requested", "verification_sent"]),
    detail: z.string().openapi({ description: "What happens next, for people." }),
  })
  .openapi("EmailSent");

export const requestPasswordReset = createRoute({
  operationId: "requestPasswordReset",
  security: publicAccess,
  method: "post",
  path: "/v1/auth/password-reset",
  tags: ["Auth"],
  summary: "Email a password reset link",
  description:
    "Always 202 with the same body, whether or not an account has the address (no enumeration). When one " +
    "has, a single-use link valid 30 minutes is emailed to it, at most 3 an hour per address (further " +
    "requests are answered the same and send nothing). Limited per IP like sign-in.",
  middleware: [refuseCrossSite()] as const,
  request: { body: jsonBody(z.strictObject({ email })) },
  responses: {
    202: jsonResponse(emailSent, "Accepted: a link was emailed if the address has an account"),
    ...problemResponses(400, 403, 413, 415, 429, 503),
  },
});

export const confirmPasswordReset = createRoute({
  operationId: "confirmPasswordReset",
  security: publicAccess,
  method: "post",
  path: "/v1/auth/password-reset/confirm",
  tags: ["Auth"],
  summary: "Set a new password with a reset link's token",
  description:
    "The token works once. The password follows the sign-up rules. Every session of the account ends " +
    "(sign in again with the new password) and every other open link of the account stops working. " +
    "400 for a token that is not valid, 410 for one already used or expired.",
  middleware: [refuseCrossSite()] as const,
  request: { body: jsonBody(z.strictObject({ token: accountToken, password })) },
  responses: {
    204: { description: "Password changed; every session of the account has ended" },
    ...problemResponses(400, 403, 410, 413, 415, 429, 503),
  },
});
