import type { SelectUser } from "../../../drizzle/schema";
import { AppError } from "../../lib/errors";

/**
 * Who may log in and refresh: suspended and deactivated accounts may not. Only told to
 * someone who already proved the password, so it reveals nothing to a guesser.
 */
export function accountStatusError(user: Pick<SelectUser, "suspended" | "isActive">): AppError | null {
  if (user.suspended) return new AppError(403, "account_suspended", "This account is suspended.");
  if (user.isActive === false) return new AppError(403, "account_inactive", "This account is deactivated.");
  return null;
}
