import { AppError } from "../../lib/errors";

/** Blocking is between two people; blocking yourself would hide you from yourself. */
export function blockError(blockerId: number, blockedId: number): AppError | null {
  if (blockerId === blockedId) return new AppError(400, "cannot_block_self", "You cannot block yourself.");
  return null;
}
