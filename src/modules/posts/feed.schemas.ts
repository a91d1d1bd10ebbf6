import { z } from "@hono/zod-openapi";
import { PgTimestampText } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { UserCardSchema } from "../users";
import { PostSchema, toPost, type PostCardRow } from "./posts.schemas";

export const FEED_ITEM_TYPES = ["post", "share"] as const;
export type FeedItemType = (typeof FEED_ITEM_TYPES)[number];

/** A dancer sharing a post: who, their comment and when (the item's time). */
export const FeedShareSchema = z
  .object({
    id: z.number().int(),
    user: UserCardSchema,
    comment: z.string().nullable(),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("FeedShare");

/**
 * One item of the home feed or of a dancer's timeline: a post as posted (`type: "post"`,
 * `share: null`), or a post as someone shared it (`type: "share"`, with the sharer's card and
 * comment). A post posted and shared within the same pages appears once for each.
 */
export const FeedItemSchema = z
  .object({
    type: z.enum(FEED_ITEM_TYPES),
    id: z.string().openapi({ description: "Unique within the feed: `post:<id>` or `share:<id>`", example: "share:7" }),
    at: z.string().openapi({ format: "date-time", description: "The item's time (the post's or the share's), the feed's order" }),
    post: PostSchema,
    share: FeedShareSchema.nullable(),
  })
  .openapi("FeedItem");

export type FeedItem = z.infer<typeof FeedItemSchema>;

/** The feed's keyset: the item's time (Postgres text), its type and its row id, newest first. */
export const FeedCursor = z.tuple([PgTimestampText, z.enum(FEED_ITEM_TYPES), z.number().int().min(1).max(2_147_483_647)]);
export type FeedCursor = z.infer<typeof FeedCursor>;

/** The columns the feed statement selects beside the post card. */
export interface FeedRow extends PostCardRow {
  item_type: FeedItemType;
  item_id: number;
  item_at: string;
  share_comment: string | null;
  sharer_id: number | null;
  sharer_username: string | null;
  sharer_name: string | null;
  sharer_profile_image: string | null;
}

export function toFeedItem(row: FeedRow): FeedItem {
  const itemId = Number(row.item_id);
  return {
    type: row.item_type,
    id: `${row.item_type}:${itemId}`,
    at: isoUtc(row.item_at),
    post: toPost(row),
    share:
      row.item_type === "share"
        ? {
            id: itemId,
            user: {
              id: Number(row.sharer_id),
              username: row.sharer_username!,
              name: row.sharer_name!,
              profileImage: row.sharer_profile_image,
            },
            comment: row.share_comment,
            createdAt: isoUtc(row.item_at),
          }
        : null,
  };
}
