// Communities and groups. A city community is a group of type `city`, one per city (by its
// normalised key): dancers join theirs automatically when their profile city is set, and move
// when it changes. Other groups are interest, professional or private ones that dancers create.

import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, primaryKey, serial, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";
import { users } from "./users";

export const GROUP_TYPES = ["city", "interest", "professional", "private"] as const;
export const GROUP_ROLES = ["member", "moderator", "admin"] as const;
/** A membership is `pending` while a private group's admins have not approved it. */
export const MEMBERSHIP_STATUSES = ["active", "pending"] as const;

export const groups = pgTable(
  "groups",
  {
    id: serial("id").primaryKey(),
    type: varchar("type", { length: 16 }).notNull(),
    name: varchar("name", { length: 120 }).notNull(),
    slug: varchar("slug", { length: 140 }).notNull(),
    description: text("description"),
    imageUrl: text("image_url"),
    city: varchar("city"),
    country: varchar("country"),
    // A city community's key: the city lower-cased and accent-folded (unique among them).
    cityKey: varchar("city_key"),
    // Null for a city community (nobody owns it).
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    // Active members, kept exact by the statements that change memberships.
    memberCount: integer("member_count").default(0).notNull(),
    hiddenAt: timestamp("hidden_at"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    uniqueIndex("groups_slug_idx").on(table.slug),
    uniqueIndex("groups_city_key_idx").on(table.cityKey).where(sql`type = 'city'`),
    index("groups_type_idx").on(table.type, table.memberCount, table.id),
    index("groups_name_trgm_idx").using("gin", table.name.op("gin_trgm_ops")),
    check("groups_type_check", sql`${table.type} IN ('city', 'interest', 'professional', 'private')`),
    check("groups_city_check", sql`${table.type} <> 'city' OR ${table.cityKey} IS NOT NULL`),
    check("groups_member_count_check", sql`${table.memberCount} >= 0`),
  ],
);

export const groupMembers = pgTable(
  "group_members",
  {
    groupId: integer("group_id")
      .notNull()
      .references(() => groups.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: varchar("role", { length: 16 }).default("member").notNull(),
    status: varchar("status", { length: 16 }).default("active").notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    approvedAt: timestamp("approved_at"),
    approvedBy: integer("approved_by").references(() => users.id, { onDelete: "set null" }),
  },
  (table) => [
    primaryKey({ columns: [table.groupId, table.userId] }),
    // A dancer's groups; "is the viewer a member" is the primary key.
    index("group_members_user_idx").on(table.userId, table.status),
    // Member lists by keyset, and pending requests for the admins.
    index("group_members_list_idx").on(table.groupId, table.status, table.createdAt, table.userId),
    check("group_members_role_check", sql`${table.role} IN ('member', 'moderator', 'admin')`),
    check("group_members_status_check", sql`${table.status} IN ('active', 'pending')`),
  ],
);
