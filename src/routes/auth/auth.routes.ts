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

export const signup = createRoute({
  operationId: "signup",
  security: publicAccess,
  method: "post",
  path: "/v1/auth/signup",
  tags: ["Auth"],
  summary: "Create an account (verify its address by the emailed link)",
  description:
    "Answers 202 with the same body whether or not the address already has an account, and signs nobody " +
    "in: a new address gets an unverified account and an email with a verification link (24 hours; " +
    "`POST /v1/auth/verify-email` verifies, with the password, and signs in); a taken one gets an email to its owner instead, " +
    "and nothing changes. Until the address is verified the account may sign in, browse and fill a cart, " +
    "but not check out, accept quotes, send or accept invitations, submit listings or create API keys (403 " +
    "`urn:problem:email_unverified`). Limited per IP.",
  middleware: [refuseCrossSite()] as const,
  request: {
    body: jsonBody(z.strictObject({ email, password, name: text(1, 100) })),
  },
  responses: {
    202: jsonResponse(emailSent, "Accepted: a verification link (or a note to the owner) was emailed"),
    ...problemResponses(400, 403, 413, 415, 429, 503),
  },
});

export const verifyEmail = createRoute({
  operationId: "verifyEmail",
  security: publicAccess,
  method: "post",
  path: "/v1/auth/verify-email",
  tags: ["Auth"],
  summary: "Verify an email address with its link's token and the account's password, and sign in",
  description:
    "The link proves the inbox, not who chose the password (anyone may sign up with any address), so " +
    "confirming also takes the account's password. The token works once. Marks the address verified, ends " +
    "every other session of the account, and signs it in like login: sets `__Host-session` and " +
    "`__Host-device` and returns the bearer token once. 400 for a token that is not valid, 410 for one " +
    "already used or expired (sign in and ask for a new link); 401 for a wrong password, which leaves the " +
    "link unused and counts towards the account's sign-in backoff (429 with Retry-After; also limited per " +
    "IP). Whoever does not know the password (someone else signed up with their address) resets it " +
    "instead (`POST /v1/auth/password-reset`): that verifies the address and ends every session.",
  middleware: [refuseCrossSite()] as const,
  request: { body: jsonBody(z.strictObject({ token: accountToken, password })) },
  responses: {
    200: jsonResponse(signedIn, "Verified and signed in"),
    ...problemResponses(400, 401, 403, 410, 413, 415, 429, 503),
  },
});

export const resendVerification = createRoute({
  operationId: "resendVerification",
  method: "post",
  path: "/v1/auth/verify-email/resend",
  tags: ["Auth"],
  summary: "Email the signed-in user a new verification link",
  description:
    "At most 3 verification emails an hour per address (429 with Retry-After); 409 when the address is " +
    "already verified.",
  security: authenticated,
  middleware: [requireUser()] as const,
  responses: {
    202: jsonResponse(emailSent, "A new link was emailed"),
    ...problemResponses(401, 403, 409, 429, 503),
  },
});
