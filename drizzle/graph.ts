// The social graph's side tables: what the seed's graph tables (drizzle/friendships.ts) lack.
// Each part of the graph keeps its own block below.

import { boolean, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { events } from "./events";
import { friendRequests } from "./friendships";

// ---------------------------------------------------------------------------------------------
// Friend requests: the "did we dance?" story (src/modules/graph/requests.*)
// ---------------------------------------------------------------------------------------------

/**
 * The story a friend request tells, one row per request (the seed's friend_requests stays
 * column-exact). When a cancelled or rejected request is sent again, its row is reused and the
 * story replaced. Request media live in friendship_media, keyed by `friend_request_id`.
 */
export const friendRequestStories = pgTable("friend_request_stories", {
  friendRequestId: integer("friend_request_id")
    .primaryKey()
    .references(() => friendRequests.id, { onDelete: "cascade" }),
  didWeDance: boolean("did_we_dance").default(false).notNull(),
  danceLocation: text("dance_location"),
  danceEventId: integer("dance_event_id").references(() => events.id, { onDelete: "set null" }),
  danceStory: text("dance_story"),
  updatedAt: timestamp("updated_at").defaultNow().notNull(),
});

// ---- Closeness job -------------------------------------------------------------------------

/**
 * Where a chunked job stopped: the last id it finished (0 once a pass is complete), so a run
 * cut off by its time budget or by the platform resumes there instead of starting over.
 */
export const jobCursors = pgTable("job_cursors", {
  job: text("job").primaryKey(),
  position: integer("position").default(0).notNull(),
  updatedAt: timestamp("updated_at").defaultNow().notNull(),
});

// ---- End of closeness job -----------------------------------------------------------------
