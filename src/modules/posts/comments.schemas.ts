import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/pagination";
import { INT4_MAX, multiLine, PositiveIntId } from "../../lib/text";
import { isoUtc } from "../../lib/time";
import { UserCardSchema } from "../users";
import { authorCard } from "./posts.schemas";

/** A comment's text: trimmed, 1 to 2000 characters, line breaks allowed. */
export const CommentContent = multiLine(2000, 1);

export const CreateCommentBody = z
  .object({
    content: CommentContent,
    parentId: z
      .number()
      .int()
      .min(1)
      .max(INT4_MAX)
      .optional()
      .openapi({ description: "Reply to this comment of the same post (a reply to a reply joins its top-level comment's thread)" }),
  })
  .openapi("CreateComment");

export const UpdateCommentBody = z.object({ content: CommentContent }).openapi("UpdateComment");

export const CommentListQuery = PageQuery.extend({
  parentId: PositiveIntId.optional().openapi({
    type: "integer",
    description: "List the replies of this top-level comment instead of the post's top-level comments",
  }),
});

/**
 * A comment as every comment route shows it. `parentId` is null for a top-level comment, else
 * the top-level comment whose thread it is in (threads are one level deep).
 */
export const CommentSchema = z
  .object({
    id: z.number().int(),
    postId: z.number().int(),
    parentId: z.number().int().nullable(),
    author: UserCardSchema,
    content: z.string(),
    likes: z.number().int(),
    replyCount: z.number().int().openapi({ description: "Replies the viewer may see (0 for a reply)" }),
    viewer: z.object({ liked: z.boolean() }).openapi({ description: "The viewer's own like (false when anonymous)" }),
    edited: z.boolean(),
    hidden: z.boolean().openapi({ description: "Hidden by moderation pending review (only its author sees it then)" }),
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Comment");

export type Comment = z.infer<typeof CommentSchema>;

export const CommentLikeStateSchema = z
  .object({ liked: z.boolean(), likes: z.number().int() })
  .openapi("CommentLikeState");

export type CommentLikeState = z.infer<typeof CommentLikeStateSchema>;

/** The columns `commentColumns` (comments.conditions.ts) selects, as raw SQL rows give them. */
export interface CommentRow extends Record<string, unknown> {
  id: number;
  post_id: number;
  parent_id: number | null;
  author_id: number;
  author_username: string;
  author_name: string;
  author_profile_image: string | null;
  content: string;
  likes: number | null;
  reply_count: number;
  viewer_liked: boolean;
  edited: boolean;
  hidden: boolean;
  created_key: string;
  updated_key: string | null;
}

/** Shapes a row selected with `commentColumns`. */
export function toComment(row: CommentRow): Comment {
  return {
    id: Number(row.id),
    postId: Number(row.post_id),
    parentId: row.parent_id === null ? null : Number(row.parent_id),
    author: authorCard(row),
    content: row.content,
    likes: Number(row.likes ?? 0),
    replyCount: Number(row.reply_count),
    viewer: { liked: row.viewer_liked },
    edited: row.edited,
    hidden: row.hidden,
    createdAt: isoUtc(row.created_key),
    updatedAt: isoUtc(row.updated_key ?? row.created_key),
  };
}
