// The module's public surface: other modules import only from here (a lint rule says so).
// Verbs and schemas come first, so that modules importing each other find them evaluated
// before the router pulls in handlers.
/** Account emails and two-factor notices, rendered by the email job when it sends them. */
export { ACCOUNT_EMAILS, renderAccountEmail, renderTwoFactorNotice, TWO_FACTOR_TEMPLATES } from "./auth.emails";

import { createRouter } from "../../lib/openapi";
import * as handlers from "./auth.handlers";
import * as routes from "./auth.routes";
import * as recoveryHandlers from "./recovery.handlers";
import * as recoveryRoutes from "./recovery.routes";
import * as sessionHandlers from "./sessions.handlers";
import * as sessionRoutes from "./sessions.routes";
import * as twoFactorHandlers from "./two-factor.handlers";
import * as twoFactorRoutes from "./two-factor.routes";

/** Accounts, logins and sessions, email verification and password reset, two-factor auth. */
export const authRouter = createRouter()
  .openapi(routes.register, handlers.register)
  .openapi(routes.login, handlers.login)
  .openapi(routes.refresh, handlers.refresh)
  .openapi(routes.logout, handlers.logout)
  .openapi(routes.me, handlers.me)
  .openapi(routes.checkAvailability, handlers.checkAvailability)
  .openapi(recoveryRoutes.verifyEmail, recoveryHandlers.verifyEmail)
  .openapi(recoveryRoutes.resendVerification, recoveryHandlers.resendVerification)
  .openapi(recoveryRoutes.forgotPassword, recoveryHandlers.forgotPassword)
  .openapi(recoveryRoutes.resetPassword, recoveryHandlers.resetPassword)
  .openapi(twoFactorRoutes.setup, twoFactorHandlers.setup)
  .openapi(twoFactorRoutes.enable, twoFactorHandlers.enable)
  .openapi(twoFactorRoutes.disable, twoFactorHandlers.disable)
  .openapi(sessionRoutes.list, sessionHandlers.list)
  .openapi(sessionRoutes.revoke, sessionHandlers.revoke);
