import type { Actor } from "../../lib/context";
import { forbidden } from "../../lib/errors";

/** The lowest role level that may remove anyone's comment (5 Admin and up), as for posts. */
export const COMMENT_MODERATOR_LEVEL = 5;

/**
 * Whether the actor may delete any comment they can see, whoever wrote it. Otherwise only the
 * comment's author and the post's author may (the service checks those in SQL).
 */
export function mayRemoveAnyComment(actor: Actor): boolean {
  return actor.level >= COMMENT_MODERATOR_LEVEL;
}

export const notCommentAuthor = () => forbidden("Only the comment's author may edit it.", "not_comment_author");

export const mayNotDeleteComment = () =>
  forbidden("Only the comment's author, the post's author or a moderator may delete it.", "comment_delete_forbidden");
