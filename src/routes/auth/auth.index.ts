import { createRouter } from "../../http/router.ts";
import {
  confirmPasswordResetHandler,
  loginHandler,
  logoutHandler,
  requestPasswordResetHandler,
  resendVerificationHandler,
  signupHandler,
  verifyEmailHandler,
} from "./auth.handlers.ts";
import * as routes from "./auth.routes.ts";

export const authRouter = createRouter()
  .openapi(routes.signup, signupHandler)
  .openapi(routes.login, loginHandler)
  .openapi(routes.logout, logoutHandler)
  .openapi(routes.requestPasswordReset, requestPasswordResetHandler)
  .openapi(routes.confirmPasswordReset, confirmPasswordResetHandler)
  .openapi(routes.verifyEmail, verifyEmailHandler)
  .openapi(routes.resendVerification, resendVerificationHandler);
