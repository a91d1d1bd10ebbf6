import { AppError } from "../../lib/errors";
import { INITIAL_CLOSENESS } from "../../../drizzle/schema";

/** A new friendship starts at this closeness... */
export const STARTING_CLOSENESS = INITIAL_CLOSENESS;
/** ...or at this one when the two said they danced together. */
export const DANCED_CLOSENESS = 80;
/** After a declined request, its sender may ask the same dancer again this many days later. */
export const REASK_AFTER_DAYS = 30;

/** Asking yourself to be your own friend is a 400. */
export function sendRequestError(senderId: number, receiverId: number): AppError | null {
  if (senderId === receiverId) {
    return new AppError(400, "cannot_befriend_self", "You cannot send a friend request to yourself.", {
      errors: [{ path: "body.receiverId", message: "That is you" }],
    });
  }
  return null;
}
