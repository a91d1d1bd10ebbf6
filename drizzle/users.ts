import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";
import { createInsertSchema, createSelectSchema } from "drizzle-zod";

/**
 * The seed's 8 tiers. `users.role` holds the name; `requireLevel(n)` compares the level.
 * migrations/0002_identity.sql inserts exactly these rows into user_roles (a test checks).
 */
export const ROLES = [
  { name: "user", level: 1, title: "Free" },
  { name: "basic", level: 2, title: "Basic" },
  { name: "premium", level: 3, title: "Premium" },
  { name: "community", level: 4, title: "Community" },
  { name: "admin", level: 5, title: "Admin" },
  { name: "volunteer", level: 6, title: "Platform Volunteer" },
  { name: "super_admin", level: 7, title: "Super Admin" },
  { name: "god", level: 8, title: "God" },
] as const;

export type RoleName = (typeof ROLES)[number]["name"];

export const ROLE_NAMES = ROLES.map((r) => r.name) as [RoleName, ...RoleName[]];

/** The level of a role name; unknown names are the lowest tier. */
export function roleLevel(role: string): number {
  return ROLES.find((r) => r.name === role)?.level ?? 1;
}

/** Role rows: one per tier, with its level. */
export const userRoles = pgTable("user_roles", {
  name: varchar("name", { length: 32 }).primaryKey(),
  level: integer("level").notNull().unique(),
  title: varchar("title", { length: 64 }).notNull(),
  description: text("description"),
});

/** What a dancer dances (users.tango_roles). */
export const TANGO_ROLES = ["leader", "follower", "both"] as const;

export const users = pgTable(
  "users",
  {
    id: serial("id").primaryKey(),

    // Authentication
    email: varchar("email").notNull().unique(),
    username: varchar("username").notNull().unique(),
    password: text("password").notNull(),
    apiToken: text("api_token"),
    twoFactorEnabled: boolean("two_factor_enabled").default(false),

    // Profile
    name: varchar("name").notNull(),
    firstName: varchar("first_name"),
    lastName: varchar("last_name"),
    nickname: varchar("nickname"),
    bio: text("bio"),
    profileImage: text("profile_image"),
    backgroundImage: text("background_image"),

    // Contact
    mobileNo: varchar("mobile_no"),
    facebookUrl: text("facebook_url"),

    // Location
    country: varchar("country"),
    city: varchar("city"),
    state: varchar("state"),
    countryCode: varchar("country_code"),
    stateCode: varchar("state_code"),

    // Tango profile
    languages: text("languages").array(),
    tangoRoles: text("tango_roles").array(),
    leaderLevel: integer("leader_level").default(0),
    followerLevel: integer("follower_level").default(0),
    yearsOfDancing: integer("years_of_dancing").default(0),
    startedDancingYear: integer("started_dancing_year"),
    occupation: varchar("occupation"),

    // Account status
    isVerified: boolean("is_verified").default(false),
    isActive: boolean("is_active").default(true),
    suspended: boolean("suspended").default(false),
    isOnboardingComplete: boolean("is_onboarding_complete").default(false),
    formStatus: integer("form_status").default(0),
    codeOfConductAccepted: boolean("code_of_conduct_accepted").default(false),
    termsAccepted: boolean("terms_accepted").default(false),

    // Subscription and billing
    stripeCustomerId: varchar("stripe_customer_id"),
    stripeSubscriptionId: varchar("stripe_subscription_id"),
    subscriptionStatus: varchar("subscription_status"),
    subscriptionTier: varchar("subscription_tier").default("free"),

    // Customer journey
    customerJourneyState: varchar("customer_journey_state").default("J1"),
    lastJourneyUpdate: timestamp("last_journey_update"),

    // Device and security
    deviceType: varchar("device_type"),
    deviceToken: text("device_token"),
    replitId: varchar("replit_id"),
    lastLoginAt: timestamp("last_login_at"),
    lastLoginIp: varchar("last_login_ip"),

    // Role-based access control: the 8-tier system of the seed
    role: varchar("role")
      .default("user")
      .notNull()
      .references(() => userRoles.name, { onUpdate: "cascade" }),

    createdAt: timestamp("created_at").defaultNow(),
    updatedAt: timestamp("updated_at").defaultNow(),
  },
  (table) => [
    index("users_email_idx").on(table.email),
    index("users_username_idx").on(table.username),
    // Logins and availability checks are case-insensitive: Ana@x.com and ana@x.com are one account.
    uniqueIndex("users_email_lower_idx").on(sql`lower(${table.email})`),
    uniqueIndex("users_username_lower_idx").on(sql`lower(${table.username})`),
    // Dancers of a city: friend suggestions for someone with no friends yet, city pages.
    index("users_city_idx").on(table.city, table.id),
    // A day's registrations (the analytics roll-up, src/jobs/analytics-rollup.ts).
    index("users_created_at_idx").on(table.createdAt),
    // People search: trigram similarity on name and username.
    index("users_name_trgm_idx").using("gin", table.name.op("gin_trgm_ops")),
    index("users_username_trgm_idx").using("gin", table.username.op("gin_trgm_ops")),
  ],
);

export const insertUserSchema = createInsertSchema(users).omit({ id: true, createdAt: true, updatedAt: true });
export const selectUserSchema = createSelectSchema(users);
export type SelectUser = typeof users.$inferSelect;
export type InsertUser = typeof users.$inferInsert;
