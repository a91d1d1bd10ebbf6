// Posts' side tables: what the seed names but does not define (post_shares, bookmarks,
// edit_history, viral_analytics), comment likes, and the hashtag index behind hashtag pages and
// trending. The seed's posts, post_likes and post_comments are in drizzle/social.ts.

import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { postComments, posts } from "./social";
import { users } from "./users";

/**
 * A dancer sharing a post, with an optional comment: shown in the sharer's timeline and in
 * their followers' feeds. One share per dancer and post (`posts.shares` counts them).
 */
export const postShares = pgTable(
  "post_shares",
  {
    id: serial("id").primaryKey(),
    postId: integer("post_id")
      .notNull()
      .references(() => posts.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    comment: text("comment"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    uniqueIndex("post_shares_post_user_idx").on(table.postId, table.userId),
    // A sharer's shares, newest first: the timeline and the followers' feeds read them by keyset.
    index("post_shares_user_created_idx").on(table.userId, table.createdAt, table.id),
    // Viral analytics: a post's shares within a window.
    index("post_shares_post_created_idx").on(table.postId, table.createdAt),
    // The home feed of a dancer with thousands of sources reads all shares newest first and keeps
    // its sources' from the index alone (posts/feed.statement.ts, `npm run bench -- feed`).
    index("post_shares_created_idx").on(table.createdAt, table.id, table.userId),
  ],
);

/** Posts a dancer saved, listed newest first. */
export const bookmarks = pgTable(
  "bookmarks",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    postId: integer("post_id")
      .notNull()
      .references(() => posts.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    uniqueIndex("bookmarks_user_post_idx").on(table.userId, table.postId),
    index("bookmarks_user_created_idx").on(table.userId, table.createdAt, table.id),
    index("bookmarks_post_idx").on(table.postId),
  ],
);

/** Likes on comments: one per dancer and comment (`post_comments.likes` counts them). */
export const commentLikes = pgTable(
  "comment_likes",
  {
    id: serial("id").primaryKey(),
    commentId: integer("comment_id")
      .notNull()
      .references(() => postComments.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    uniqueIndex("comment_likes_comment_user_idx").on(table.commentId, table.userId),
    index("comment_likes_user_idx").on(table.userId),
  ],
);

/**
 * What a post (or a comment) was before each edit: one row per edit, written by the edit's own
 * statement, with the editor and the previous content.
 */
export const editHistory = pgTable(
  "edit_history",
  {
    id: serial("id").primaryKey(),
    postId: integer("post_id").references(() => posts.id, { onDelete: "cascade" }),
    commentId: integer("comment_id").references(() => postComments.id, { onDelete: "cascade" }),
    editorId: integer("editor_id").references(() => users.id, { onDelete: "set null" }),
    previousContent: text("previous_content").notNull(),
    /** The rest of what the edit changed (rich content, media, visibility...), as it was. */
    previous: jsonb("previous").default({}).notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    check("edit_history_one_target", sql`num_nonnulls(${table.postId}, ${table.commentId}) = 1`),
    index("edit_history_post_idx").on(table.postId, table.createdAt, table.id),
    index("edit_history_comment_idx").on(table.commentId, table.createdAt, table.id),
  ],
);

/**
 * Which hashtags each post carries (`posts.hashtags` as rows), with the post's time: a hashtag
 * page reads one index range by keyset, and trending counts a window of it.
 */
export const postHashtags = pgTable(
  "post_hashtags",
  {
    postId: integer("post_id")
      .notNull()
      .references(() => posts.id, { onDelete: "cascade" }),
    tag: text("tag").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.postId, table.tag] }),
    index("post_hashtags_tag_created_idx").on(table.tag, table.createdAt, table.postId),
    index("post_hashtags_created_idx").on(table.createdAt),
  ],
);

/**
 * Viral scores of recent posts, recomputed by the viral-analytics cron job with the original
 * platform's formula (see src/jobs/viral.ts); a post is viral above 0.7.
 */
export const viralAnalytics = pgTable(
  "viral_analytics",
  {
    postId: integer("post_id")
      .primaryKey()
      .references(() => posts.id, { onDelete: "cascade" }),
    score: doublePrecision("score").notNull(),
    sharesPerHour: doublePrecision("shares_per_hour").notNull(),
    commentsPerHour: doublePrecision("comments_per_hour").notNull(),
    uniqueEngagers: integer("unique_engagers").notNull(),
    communitiesReached: integer("communities_reached").notNull(),
    earlyEngagement: doublePrecision("early_engagement").notNull(),
    isViral: boolean("is_viral").notNull(),
    postCreatedAt: timestamp("post_created_at").notNull(),
    computedAt: timestamp("computed_at").defaultNow().notNull(),
  },
  (table) => [index("viral_analytics_score_idx").on(table.score, table.postId)],
);

/** Trending hashtags, refreshed with viral analytics: the window's posts and engagement per tag. */
export const trendingHashtags = pgTable(
  "trending_hashtags",
  {
    tag: text("tag").primaryKey(),
    posts: integer("posts").notNull(),
    engagement: integer("engagement").notNull(),
    score: doublePrecision("score").notNull(),
    computedAt: timestamp("computed_at").defaultNow().notNull(),
  },
  (table) => [index("trending_hashtags_score_idx").on(table.score, table.tag)],
);
