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
