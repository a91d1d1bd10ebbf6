import { type SQL, sql } from "drizzle-orm";
import { AppError, forbidden, notFound } from "../../lib/errors";
import { hasGroupRole } from "../groups";
import { accountUsable } from "../users";

/** The lowest role level that may delete anyone's post (5 Admin and up). */
export const MODERATOR_LEVEL = 5;

/**
 * Holds when the actor may delete the post: its author, or a moderator, or for a group's post
 * an admin or moderator of the group. The level and the group role are read in the same
 * statement (not from the token), so a dancer demoted a moment ago deletes only their own posts.
 */
export function mayDeletePost(actorId: number, post: SQL): SQL<boolean> {
  return sql<boolean>`(${post}.user_id = ${actorId} OR EXISTS (
    SELECT 1 FROM users me JOIN user_roles r ON r.name = me.role
    WHERE me.id = ${actorId} AND ${accountUsable(sql`me`)} AND r.level >= ${MODERATOR_LEVEL})
    OR (${post}.group_id IS NOT NULL AND ${hasGroupRole(actorId, sql`${post}.group_id`, ["admin", "moderator"])}))`;
}

/** Holds when the actor wrote the post: only the author edits it. */
export function ownsPost(actorId: number, post: SQL): SQL<boolean> {
  return sql<boolean>`(${post}.user_id = ${actorId})`;
}

/**
 * The refusal for a write on a post, from what its statement saw: a post the actor may not
 * see is a 404 (whether or not it exists), one they see but may not change a 403.
 */
export function postWriteError(seen: { found: boolean; allowed: boolean }, action: "edit" | "delete"): AppError | null {
  if (!seen.found) return notFound("post");
  if (seen.allowed) return null;
  return action === "edit"
    ? forbidden("Only its author edits a post.", "not_post_owner")
    : forbidden("Only its author or a moderator deletes a post.", "not_post_owner");
}

/** An event id that names no event. */
export function unknownEventError(): AppError {
  return new AppError(400, "unknown_event", "No such event.", { errors: [{ path: "body.eventId", message: "No such event" }] });
}

/** A group's post stays its group's: its visibility is not edited. */
export function groupVisibilityError(): AppError {
  return new AppError(400, "group_post_visibility", "A group post is seen by its group's members; its visibility cannot change.", {
    errors: [{ path: "body.visibility", message: "A group post's visibility is its group's" }],
  });
}
