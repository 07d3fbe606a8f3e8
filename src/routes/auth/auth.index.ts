import { createRouter } from "../../http/router.ts";
import { loginHandler, logoutHandler, signupHandler } from "./auth.handlers.ts";
import { login, logout, signup } from "./auth.routes.ts";

export const authRouter = createRouter()
  .openapi(signup, signupHandler)
  .openapi(login, loginHandler)
  .openapi(logout, logoutHandler);
