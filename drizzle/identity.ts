import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { users } from "./users";

export const PROFILE_VISIBILITIES = ["public", "friends", "private"] as const;
export const MESSAGE_PERMISSIONS = ["everyone", "friends", "nobody"] as const;
export const EMAIL_TOKEN_PURPOSES = ["verify_email", "reset_password"] as const;

/** Every change of a user's role: who, from what, to what, by whom, why. */
export const roleChanges = pgTable(
  "role_changes",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    oldRole: varchar("old_role", { length: 32 }).notNull(),
    newRole: varchar("new_role", { length: 32 }).notNull(),
    changedBy: integer("changed_by").references(() => users.id, { onDelete: "set null" }),
    reason: text("reason"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [index("role_changes_user_idx").on(table.userId, table.createdAt, table.id)],
);

/**
 * One row per user who changed a setting; a missing row means the defaults, so accounts
 * created by any path (registration, imports, seeds) need nothing here.
 */
export const userSettings = pgTable(
  "user_settings",
  {
    userId: integer("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    profileVisibility: varchar("profile_visibility", { length: 16 }).default("public").notNull(),
    messagePermission: varchar("message_permission", { length: 16 }).default("everyone").notNull(),
    /** `{ [notificationType]: { inApp?: boolean, email?: boolean } }` */
    notificationPreferences: jsonb("notification_preferences").default({}).notNull(),
    /** `{ digest?: "never" | "daily" | "weekly", marketing?: boolean, ... }` */
    emailPreferences: jsonb("email_preferences").default({}).notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    check("user_settings_visibility_check", sql`${table.profileVisibility} IN ('public', 'friends', 'private')`),
    check("user_settings_message_check", sql`${table.messagePermission} IN ('everyone', 'friends', 'nobody')`),
  ],
);

/** A user's TOTP secret (encrypted at rest); enabled only once a valid code confirmed it. */
export const twoFactorSecrets = pgTable("two_factor_secrets", {
  userId: integer("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secretEncrypted: text("secret_encrypted").notNull(),
  enabledAt: timestamp("enabled_at"),
  /** The last accepted 30-second step: a code is never accepted twice. */
  lastUsedStep: bigint("last_used_step", { mode: "number" }),
  createdAt: timestamp("created_at").defaultNow().notNull(),
});

/** Single-use backup codes, stored hashed; a used code is deleted. */
export const twoFactorBackupCodes = pgTable(
  "two_factor_backup_codes",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [uniqueIndex("two_factor_backup_codes_user_code_idx").on(table.userId, table.codeHash)],
);

/** A login: the family of refresh tokens issued from it. Revoking it ends them all. */
export const sessions = pgTable(
  "sessions",
  {
    id: uuid("id").defaultRandom().primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    userAgent: text("user_agent"),
    ip: varchar("ip", { length: 64 }),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    lastUsedAt: timestamp("last_used_at").defaultNow().notNull(),
    expiresAt: timestamp("expires_at").notNull(),
    revokedAt: timestamp("revoked_at"),
    revokedReason: varchar("revoked_reason", { length: 32 }),
  },
  (table) => [
    index("sessions_user_idx").on(table.userId, table.createdAt, table.id),
    index("sessions_expires_idx").on(table.expiresAt),
    // Cleanup: revoked sessions.
    index("sessions_revoked_idx").on(table.revokedAt).where(sql`${table.revokedAt} IS NOT NULL`),
  ],
);

/** Refresh tokens, stored as SHA-256 hashes; each is spent by one refresh (rotation). */
export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    expiresAt: timestamp("expires_at").notNull(),
    usedAt: timestamp("used_at"),
  },
  (table) => [
    index("refresh_tokens_session_idx").on(table.sessionId),
    index("refresh_tokens_expires_idx").on(table.expiresAt),
  ],
);

/** Email verification and password reset tokens: hashed, single-use, expiring. */
export const emailTokens = pgTable(
  "email_tokens",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: varchar("purpose", { length: 32 }).notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    /** The address the token was sent to: verifying proves this address, not a later one. */
    email: varchar("email").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
    usedAt: timestamp("used_at"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    index("email_tokens_user_idx").on(table.userId, table.purpose),
    index("email_tokens_expires_idx").on(table.expiresAt),
    // Cleanup: spent tokens.
    index("email_tokens_used_idx").on(table.usedAt).where(sql`${table.usedAt} IS NOT NULL`),
    check("email_tokens_purpose_check", sql`${table.purpose} IN ('verify_email', 'reset_password')`),
  ],
);

/** A block hides each user from the other on every read path (see src/modules/blocks). */
export const blockedUsers = pgTable(
  "blocked_users",
  {
    id: serial("id").primaryKey(),
    blockerId: integer("blocker_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    blockedId: integer("blocked_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    uniqueIndex("unique_block").on(table.blockerId, table.blockedId),
    index("blocked_users_blocked_idx").on(table.blockedId),
    index("blocked_users_blocker_created_idx").on(table.blockerId, table.createdAt, table.id),
    check("blocked_users_not_self", sql`${table.blockerId} <> ${table.blockedId}`),
  ],
);

export type SelectSession = typeof sessions.$inferSelect;
export type SelectUserSettings = typeof userSettings.$inferSelect;
