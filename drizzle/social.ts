import { type SQL, sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";
import { tsvector } from "./types";
import { createInsertSchema, createSelectSchema } from "drizzle-zod";
import { events } from "./events";
import { groups } from "./groups";
import { users } from "./users";

export const POST_VISIBILITIES = ["public", "friends", "private"] as const;
export const POST_TYPES = ["post", "share", "poll"] as const;


/**
 * A post's searchable text: the plain text (the content when there is none), accents folded,
 * in the `simple` configuration, which does not stem, so it serves every language alike.
 * `mt_unaccent` is unaccent() declared immutable (migrations/0005), as a generated column needs.
 */
export function postSearchDocument(plainText: SQL | string, content: SQL | string): SQL {
  return sql`to_tsvector('simple'::regconfig, mt_unaccent(coalesce(${plainText}, ${content})))`;
}

export const posts = pgTable(
  "posts",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    eventId: integer("event_id").references(() => events.id, { onDelete: "cascade" }),

    // Content
    content: text("content").notNull(),
    richContent: jsonb("rich_content"),
    plainText: text("plain_text"),
    imageUrl: text("image_url"),
    videoUrl: text("video_url"),
    mediaEmbeds: jsonb("media_embeds"),

    // Metadata
    mentions: text("mentions").array(),
    hashtags: text("hashtags").array(),
    tags: text("tags").array(),

    // Location
    location: text("location"),
    coordinates: jsonb("coordinates"),
    placeId: text("place_id"),
    formattedAddress: text("formatted_address"),

    // Settings
    visibility: varchar("visibility").default("public"),
    postType: varchar("post_type").default("post"),

    // Engagement counters (denormalized; kept exact by the statements that change them)
    likes: integer("likes").default(0),
    comments: integer("comments").default(0),
    shares: integer("shares").default(0),

    createdAt: timestamp("created_at").defaultNow(),
    updatedAt: timestamp("updated_at").defaultNow(),

    // Added after the seed (so last, as the migrations added them):
    // moderation: hidden from everyone but the author (and moderators) while under review;
    hiddenAt: timestamp("hidden_at"),
    // full-text search (GIN below), kept by Postgres from the text columns.
    searchVector: tsvector("search_vector").generatedAlwaysAs(
      (): SQL => postSearchDocument(sql.raw(`"plain_text"`), sql.raw(`"content"`)),
    ),
    // a group's post (visibility 'group'): seen by the group's active members only.
    groupId: integer("group_id").references(() => groups.id, { onDelete: "cascade" }),
  },
  (table) => [
    index("posts_user_idx").on(table.userId),
    index("posts_event_idx").on(table.eventId),
    index("posts_created_at_idx").on(table.createdAt),
    // The home feed reads each followed author's newest posts: one index range per author,
    // in (created_at, id) order for keyset pagination (scanned backwards for newest first,
    // which matches ORDER BY ... DESC with its default NULLS FIRST).
    index("posts_user_created_idx").on(table.userId, table.createdAt, table.id),
    // The home feed's fanout (posts/feed.statement.ts) reads each source's newest posts the viewer
    // may see straight from these, index-only: public ones for a dancer followed, public and
    // friends-only ones for a friend. Rows the viewer may not see are not in the index, so a
    // dancer whose posts are mostly friends-only costs no more than any other.
    index("posts_user_public_idx")
      .on(table.userId, table.createdAt, table.id)
      .where(sql`hidden_at IS NULL AND coalesce(visibility, 'public') = 'public'`),
    index("posts_user_friends_idx")
      .on(table.userId, table.createdAt, table.id)
      .where(sql`hidden_at IS NULL AND coalesce(visibility, 'public') IN ('public', 'friends')`),
    // Its scan (a dancer with thousands of sources) walks every visible post newest first and
    // keeps its sources' from the index alone (user_id, visibility): index-only, no heap read for
    // the rows it passes over.
    index("posts_feed_idx")
      .on(table.createdAt, table.id, table.userId, table.visibility)
      .where(sql`hidden_at IS NULL`),
    index("posts_search_idx").using("gin", table.searchVector),
    // A group's posts, newest first by keyset.
    index("posts_group_idx").on(table.groupId, table.createdAt, table.id).where(sql`group_id IS NOT NULL`),
    check("posts_group_visibility_check", sql`(${table.groupId} IS NULL) = (coalesce(${table.visibility}, 'public') <> 'group')`),
  ],
);

export const postLikes = pgTable(
  "post_likes",
  {
    id: serial("id").primaryKey(),
    postId: integer("post_id")
      .notNull()
      .references(() => posts.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    index("post_likes_post_idx").on(table.postId),
    index("post_likes_user_idx").on(table.userId),
    // The closeness job's likes between two dancers: one index-only range per liker and
    // window, post_id carried along (a key column: drizzle cannot declare INCLUDE).
    index("post_likes_user_created_idx").on(table.userId, table.createdAt, table.postId),
    uniqueIndex("unique_post_like").on(table.postId, table.userId),
  ],
);

export const postComments = pgTable(
  "post_comments",
  {
    id: serial("id").primaryKey(),
    postId: integer("post_id")
      .notNull()
      .references(() => posts.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    parentCommentId: integer("parent_id"),
    content: text("content").notNull(),
    likes: integer("likes").default(0),
    createdAt: timestamp("created_at").defaultNow(),
    updatedAt: timestamp("updated_at").defaultNow(),
    // Added after the seed: hidden from everyone but the author (and moderators) while under review.
    hiddenAt: timestamp("hidden_at"),
  },
  (table) => [
    index("post_comments_post_idx").on(table.postId),
    // A post's comments in order, by keyset.
    index("post_comments_post_created_idx").on(table.postId, table.createdAt, table.id),
    index("post_comments_user_idx").on(table.userId),
    index("post_comments_parent_idx").on(table.parentCommentId),
  ],
);

export const follows = pgTable(
  "follows",
  {
    id: serial("id").primaryKey(),
    followerId: integer("follower_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    followingId: integer("following_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    index("follows_follower_idx").on(table.followerId),
    index("follows_following_idx").on(table.followingId),
    uniqueIndex("unique_follow").on(table.followerId, table.followingId),
    // A dancer's followers and following lists, newest follow first, by keyset (graph/follows):
    // one index range each, read in order (without them a dancer with 100k followers sorts them all).
    index("follows_following_created_idx").on(table.followingId, table.createdAt, table.id),
    index("follows_follower_created_idx").on(table.followerId, table.createdAt, table.id),
  ],
);

/** As the seed shows: the API fills ids, timestamps and counters, never the client. */
export const insertPostSchema = createInsertSchema(posts).omit({
  id: true,
  createdAt: true,
  updatedAt: true,
  likes: true,
  comments: true,
  shares: true,
});
export const selectPostSchema = createSelectSchema(posts);
export type SelectPost = typeof posts.$inferSelect;
export type InsertPost = typeof posts.$inferInsert;

export const insertPostCommentSchema = createInsertSchema(postComments).omit({
  id: true,
  likes: true,
  createdAt: true,
  updatedAt: true,
});
export const insertFollowSchema = createInsertSchema(follows).omit({ id: true, createdAt: true });
