// Idempotency keys of create requests (API.md: "Creates accept an optional Idempotency-Key
// header: a repeat returns the first result"). See src/lib/idempotency.ts.

import { index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * The first response to a create sent with an `Idempotency-Key`, per user, route and key, for
 * 24 hours. The row is written by the create's own statement, so a key exists only if its
 * create happened: a repeat (or a concurrent twin) finds it and replays the response.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The route, e.g. `POST /api/posts`. */
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    /** SHA-256 of the request (path and body): the same key with another body is a 422. */
    requestHash: text("request_hash").notNull(),
    status: smallint("status").notNull(),
    response: jsonb("response").notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    expiresAt: timestamp("expires_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.scope, table.key] }),
    index("idempotency_keys_expires_idx").on(table.expiresAt),
  ],
);

/**
 * The messages a queue consumer has counted, so that a redelivered message (queues deliver at
 * least once: a retry after a failed or timed-out invocation) is recognised and adds nothing.
 * Written by the consumer's own statement; kept for the queue's message retention, then purged
 * by the cleanup job.
 */
export const queueReceipts = pgTable(
  "queue_receipts",
  {
    /** The queue's name, e.g. `mundo-tango-event-views`. */
    queue: text("queue").notNull(),
    messageId: text("message_id").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
  },
  (table) => [primaryKey({ columns: [table.queue, table.messageId] }), index("queue_receipts_expires_idx").on(table.expiresAt)],
);
