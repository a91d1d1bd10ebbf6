import { z } from "@hono/zod-openapi";
import { multiLine } from "../../lib/text";
import { isoUtc } from "../../lib/time";
import { UserCardSchema } from "../users";
import { PostSchema, type PostCardRow, toPost } from "./posts.schemas";

export const SharePostBody = z
  .object({ comment: multiLine(500).optional().openapi({ description: "Shown with the share; empty after trimming means none" }) })
  .openapi("SharePost");

export const ShareSchema = z
  .object({
    id: z.number().int(),
    comment: z.string().nullable(),
    createdAt: z.string().openapi({ format: "date-time" }),
    user: UserCardSchema.openapi({ description: "The sharer" }),
  })
  .openapi("Share");

export const SharedPostSchema = z
  .object({ share: ShareSchema, post: PostSchema.openapi({ description: "The post shared, its counters after the share" }) })
  .openapi("SharedPost");

export type SharedPost = z.infer<typeof SharedPostSchema>;

export const BookmarkStateSchema = z.object({ bookmarked: z.boolean() }).openapi("BookmarkState");

export type BookmarkState = z.infer<typeof BookmarkStateSchema>;

/** A share row with its sharer's card and the post's card, as the share statement selects them. */
export interface SharedPostRow extends PostCardRow {
  share_id: number;
  share_comment: string | null;
  share_created_key: string;
  sharer_id: number;
  sharer_username: string;
  sharer_name: string;
  sharer_profile_image: string | null;
}

export function toSharedPost(row: SharedPostRow): SharedPost {
  const post = toPost(row);
  return {
    share: {
      id: Number(row.share_id),
      comment: row.share_comment,
      createdAt: isoUtc(row.share_created_key),
      user: {
        id: Number(row.sharer_id),
        username: row.sharer_username,
        name: row.sharer_name,
        profileImage: row.sharer_profile_image,
      },
    },
    // The statement's snapshot does not see its own share row.
    post: { ...post, viewer: { ...post.viewer, shared: true } },
  };
}
