import { index, integer, jsonb, pgTable, serial, text, timestamp, varchar } from "drizzle-orm/pg-core";
import { createInsertSchema, createSelectSchema } from "drizzle-zod";
import { users } from "./users";

export const MR_BLUE_ROLES = ["user", "assistant", "system"] as const;
export const GOAL_PRIORITIES = ["low", "medium", "high"] as const;

/** The 16 Life CEO domains of the seed, each run by one agent (P66-P81). */
export const LIFE_CEO_DOMAINS = [
  { name: "Health & Wellness", agentId: "P66" },
  { name: "Finance Management", agentId: "P67" },
  { name: "Career Development", agentId: "P68" },
  { name: "Productivity", agentId: "P69" },
  { name: "Travel Planning", agentId: "P70" },
  { name: "Home Management", agentId: "P71" },
  { name: "Learning & Education", agentId: "P72" },
  { name: "Social Connections", agentId: "P73" },
  { name: "Wellness & Mindfulness", agentId: "P74" },
  { name: "Entertainment", agentId: "P75" },
  { name: "Creativity", agentId: "P76" },
  { name: "Fitness & Exercise", agentId: "P77" },
  { name: "Nutrition", agentId: "P78" },
  { name: "Sleep Optimization", agentId: "P79" },
  { name: "Stress Management", agentId: "P80" },
  { name: "Relationship Management", agentId: "P81" },
] as const;

export const mrBlueConversations = pgTable(
  "mr_blue_conversations",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title"),
    lastMessageAt: timestamp("last_message_at"),
    createdAt: timestamp("created_at").defaultNow(),
  },
  (table) => [index("mr_blue_conversations_user_idx").on(table.userId)],
);

export const mrBlueMessages = pgTable(
  "mr_blue_messages",
  {
    id: serial("id").primaryKey(),
    conversationId: integer("conversation_id")
      .notNull()
      .references(() => mrBlueConversations.id, { onDelete: "cascade" }),
    role: varchar("role").notNull(),
    content: text("content").notNull(),
    metadata: jsonb("metadata"),
    createdAt: timestamp("created_at").defaultNow(),
  },
  (table) => [index("mr_blue_messages_conversation_idx").on(table.conversationId)],
);

export const lifeCeoDomains = pgTable("life_ceo_domains", {
  id: serial("id").primaryKey(),
  name: varchar("name").notNull().unique(),
  agentId: varchar("agent_id").notNull(),
  description: text("description"),
  icon: varchar("icon"),
  color: varchar("color"),
  createdAt: timestamp("created_at").defaultNow(),
});

export const lifeCeoGoals = pgTable(
  "life_ceo_goals",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    domainId: integer("domain_id").references(() => lifeCeoDomains.id),
    title: text("title").notNull(),
    description: text("description"),
    targetDate: timestamp("target_date"),
    status: varchar("status").default("active").notNull(),
    progress: integer("progress").default(0),
    priority: varchar("priority").default("medium"),
    metadata: jsonb("metadata"),
    createdAt: timestamp("created_at").defaultNow(),
    updatedAt: timestamp("updated_at").defaultNow(),
    completedAt: timestamp("completed_at"),
  },
  (table) => [
    index("life_ceo_goals_user_idx").on(table.userId),
    index("life_ceo_goals_domain_idx").on(table.domainId),
    index("life_ceo_goals_status_idx").on(table.status),
  ],
);

export const insertLifeCeoGoalSchema = createInsertSchema(lifeCeoGoals).omit({
  id: true,
  userId: true,
  createdAt: true,
  updatedAt: true,
  completedAt: true,
});
export const selectLifeCeoDomainSchema = createSelectSchema(lifeCeoDomains);
export const insertMrBlueMessageSchema = createInsertSchema(mrBlueMessages).omit({ id: true, createdAt: true });
