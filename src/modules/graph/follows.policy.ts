import { AppError } from "../../lib/errors";

/** Following is of someone else. */
export function followError(followerId: number, followingId: number): AppError | null {
  if (followerId === followingId) return new AppError(400, "cannot_follow_self", "You cannot follow yourself.");
  return null;
}
