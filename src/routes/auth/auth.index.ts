import { createRouter } from "../../http/router.ts";
import {
  confirmPasswordResetHandler,
  loginHandler,
  logoutHandler,
  requestPasswordResetHandler,
  signupHandler,
} from "./auth.handlers.ts";
import { confirmPasswordReset, login, logout, requestPasswordReset, signup } from "./auth.routes.ts";

export const authRouter = createRouter()
  .openapi(signup, signupHandler)
  .openapi(login, loginHandler)
  .openapi(logout, logoutHandler)
  .openapi(requestPasswordReset, requestPasswordResetHandler)
  .openapi(confirmPasswordReset, confirmPasswordResetHandler);
