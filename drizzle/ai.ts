import { sql } from "drizzle-orm";
import { check, date, index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex, varchar } from "drizzle-orm/pg-core";
import { createInsertSchema, createSelectSchema } from "drizzle-zod";
import { users } from "./users";

/** Who wrote a stored assistant message; `tool` rows hold a tool's result the model read. */
export const MR_BLUE_ROLES = ["user", "assistant", "system", "tool"] as const;
export const GOAL_PRIORITIES = ["low", "medium", "high"] as const;
export const GOAL_STATUSES = ["active", "paused", "completed", "abandoned"] as const;
export const RECOMMENDATION_STATUSES = ["pending", "accepted", "dismissed"] as const;
export const RECOMMENDATION_SOURCES = ["on_demand", "weekly"] as const;

/**
 * The 16 Life CEO domains of the spec, each run by one agent (P66-P81): reference data that
 * migration 0019 inserts (a test checks the two agree). `persona` is how the domain's assistant
 * speaks in its conversations.
 */
export const LIFE_CEO_DOMAINS = [
  { name: "Health & Wellness", agentId: "P66", description: "Body and energy: check-ups, injuries, the stamina a long milonga asks for.", persona: "a calm, practical health coach who keeps advice general and points to a doctor for anything medical" },
  { name: "Finance Management", agentId: "P67", description: "Money: budgets for festivals and travel, shoes, classes, savings.", persona: "a plain-spoken money coach who helps plan budgets and never gives investment advice" },
  { name: "Career Development", agentId: "P68", description: "Work and vocation, including teaching, DJing or organizing tango professionally.", persona: "a career mentor who turns ambitions into concrete next steps" },
  { name: "Productivity", agentId: "P69", description: "Time and focus: routines, planning the week, finishing what matters.", persona: "a productivity coach who favours small, finishable steps" },
  { name: "Travel Planning", agentId: "P70", description: "Trips: festivals, marathons, encuentros and the milongas of the cities on the way.", persona: "a well-travelled tango friend who plans trips around festivals and milongas" },
  { name: "Home Management", agentId: "P71", description: "Home: chores, repairs, hosting travelling dancers.", persona: "an organised home manager who keeps things simple" },
  { name: "Learning & Education", agentId: "P72", description: "Learning: tango technique, music, languages, courses.", persona: "a patient teacher who breaks learning into practice sessions" },
  { name: "Social Connections", agentId: "P73", description: "Friends and community: dancing with new people, keeping in touch, belonging.", persona: "a warm community host who encourages dancers to meet and dance with new people" },
  { name: "Wellness & Mindfulness", agentId: "P74", description: "Presence and calm: breathing, mindfulness, enjoying the embrace.", persona: "a gentle mindfulness guide" },
  { name: "Entertainment", agentId: "P75", description: "Fun: milongas, concerts, films and music worth the night.", persona: "an enthusiastic friend who knows where the good nights are" },
  { name: "Creativity", agentId: "P76", description: "Creative work: musicality, choreography, writing, photography.", persona: "an encouraging creative mentor" },
  { name: "Fitness & Exercise", agentId: "P77", description: "Fitness: strength, balance, flexibility and posture for dancing.", persona: "a supportive fitness coach focused on balance, posture and injury prevention" },
  { name: "Nutrition", agentId: "P78", description: "Food: eating well around late nights and long festivals.", persona: "a sensible nutrition coach who keeps advice general" },
  { name: "Sleep Optimization", agentId: "P79", description: "Sleep: recovering from late milongas and jet lag.", persona: "a sleep coach who respects that milongas end late" },
  { name: "Stress Management", agentId: "P80", description: "Stress: nerves before a performance, busy weeks, rest.", persona: "a calm stress coach with practical techniques" },
  { name: "Relationship Management", agentId: "P81", description: "Relationships: partners, family, dance partners and friendships.", persona: "a kind, discreet relationship coach" },
] as const;

export const mrBlueConversations = pgTable(
  "mr_blue_conversations",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title"),
    /** Newest activity: set at creation and by every message (the list's order). */
    lastMessageAt: timestamp("last_message_at").defaultNow().notNull(),
    createdAt: timestamp("created_at").defaultNow(),
  },
  (table) => [
    index("mr_blue_conversations_user_idx").on(table.userId),
    index("mr_blue_conversations_activity_idx").on(table.userId, table.lastMessageAt.desc(), table.id.desc()),
  ],
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
    /** Provider, model, token counts, tool calls. */
    metadata: jsonb("metadata"),
    createdAt: timestamp("created_at").defaultNow(),
  },
  (table) => [
    index("mr_blue_messages_conversation_idx").on(table.conversationId),
    index("mr_blue_messages_history_idx").on(table.conversationId, table.id),
    check("mr_blue_messages_role_check", sql`${table.role} IN ('user', 'assistant', 'system', 'tool')`),
  ],
);

export const lifeCeoDomains = pgTable("life_ceo_domains", {
  id: serial("id").primaryKey(),
  name: varchar("name").notNull().unique(),
  agentId: varchar("agent_id").notNull(),
  description: text("description"),
  icon: varchar("icon"),
  color: varchar("color"),
  createdAt: timestamp("created_at").defaultNow(),
  /** How the domain's assistant speaks (its system prompt's persona). */
  persona: text("persona"),
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
    index("life_ceo_goals_owner_idx").on(table.userId, table.status, table.id),
    check("life_ceo_goals_status_check", sql`${table.status} IN ('active', 'paused', 'completed', 'abandoned')`),
    check("life_ceo_goals_priority_check", sql`${table.priority} IN ('low', 'medium', 'high')`),
    check("life_ceo_goals_progress_check", sql`${table.progress} BETWEEN 0 AND 100`),
    check("life_ceo_goals_completed_check", sql`(${table.status} = 'completed') = (${table.completedAt} IS NOT NULL)`),
  ],
);

/** A step towards a goal: ordered, with an optional due date, done or not. */
export const lifeCeoMilestones = pgTable(
  "life_ceo_milestones",
  {
    id: serial("id").primaryKey(),
    goalId: integer("goal_id")
      .notNull()
      .references(() => lifeCeoGoals.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    dueDate: date("due_date"),
    position: integer("position").notNull().default(0),
    completedAt: timestamp("completed_at"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    index("life_ceo_milestones_goal_idx").on(table.goalId, table.position, table.id),
    index("life_ceo_milestones_due_idx").on(table.userId, table.dueDate).where(sql`${table.completedAt} IS NULL AND ${table.dueDate} IS NOT NULL`),
  ],
);

/** A task in a domain, or under a goal (then in the goal's domain); one may come from an accepted recommendation. */
export const lifeCeoTasks = pgTable(
  "life_ceo_tasks",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    domainId: integer("domain_id").references(() => lifeCeoDomains.id),
    goalId: integer("goal_id").references(() => lifeCeoGoals.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    notes: text("notes"),
    dueDate: date("due_date"),
    priority: varchar("priority").notNull().default("medium"),
    position: integer("position").notNull().default(0),
    completedAt: timestamp("completed_at"),
    /** The recommendation this task was accepted from (one task per recommendation). */
    recommendationId: integer("recommendation_id").unique(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    index("life_ceo_tasks_goal_idx").on(table.goalId, table.position, table.id),
    index("life_ceo_tasks_domain_idx").on(table.userId, table.domainId, table.position, table.id),
    index("life_ceo_tasks_due_idx").on(table.userId, table.dueDate).where(sql`${table.completedAt} IS NULL AND ${table.dueDate} IS NOT NULL`),
    check("life_ceo_tasks_owner_check", sql`${table.domainId} IS NOT NULL OR ${table.goalId} IS NOT NULL`),
    check("life_ceo_tasks_priority_check", sql`${table.priority} IN ('low', 'medium', 'high')`),
  ],
);

/**
 * A suggestion the model made for one of a dancer's goals: pending until accepted (which
 * creates a task) or dismissed. One per goal and week (`week`: its Monday), on demand or by
 * the weekly job, so neither path ever duplicates the other.
 */
export const lifeCeoRecommendations = pgTable(
  "life_ceo_recommendations",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    goalId: integer("goal_id")
      .notNull()
      .references(() => lifeCeoGoals.id, { onDelete: "cascade" }),
    domainId: integer("domain_id").references(() => lifeCeoDomains.id),
    week: date("week").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    status: varchar("status").notNull().default("pending"),
    source: varchar("source").notNull(),
    taskId: integer("task_id").references(() => lifeCeoTasks.id, { onDelete: "set null" }),
    /** Provider, model and token counts of the generation. */
    metadata: jsonb("metadata"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    respondedAt: timestamp("responded_at"),
  },
  (table) => [
    uniqueIndex("life_ceo_recommendations_goal_week_idx").on(table.goalId, table.week),
    index("life_ceo_recommendations_user_idx").on(table.userId, table.createdAt.desc(), table.id.desc()),
    check("life_ceo_recommendations_status_check", sql`${table.status} IN ('pending', 'accepted', 'dismissed')`),
    check("life_ceo_recommendations_source_check", sql`${table.source} IN ('on_demand', 'weekly')`),
    check("life_ceo_recommendations_week_check", sql`extract(isodow FROM ${table.week}) = 1`),
  ],
);

/** A dancer's conversation with one domain's assistant. */
export const lifeCeoConversations = pgTable(
  "life_ceo_conversations",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    domainId: integer("domain_id")
      .notNull()
      .references(() => lifeCeoDomains.id),
    title: text("title"),
    lastMessageAt: timestamp("last_message_at").defaultNow().notNull(),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [index("life_ceo_conversations_activity_idx").on(table.userId, table.lastMessageAt.desc(), table.id.desc())],
);

export const lifeCeoChatMessages = pgTable(
  "life_ceo_chat_messages",
  {
    id: serial("id").primaryKey(),
    conversationId: integer("conversation_id")
      .notNull()
      .references(() => lifeCeoConversations.id, { onDelete: "cascade" }),
    role: varchar("role").notNull(),
    content: text("content").notNull(),
    metadata: jsonb("metadata"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    index("life_ceo_chat_messages_history_idx").on(table.conversationId, table.id),
    check("life_ceo_chat_messages_role_check", sql`${table.role} IN ('user', 'assistant', 'system', 'tool')`),
  ],
);

/**
 * Model tokens a dancer used per UTC day, for the daily quota: a request reserves its
 * worst case before calling the model (refused over the quota) and settles to what it used.
 */
export const aiUsageDaily = pgTable(
  "ai_usage_daily",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    day: date("day").notNull(),
    tokens: integer("tokens").notNull().default(0),
    requests: integer("requests").notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.userId, table.day] }), check("ai_usage_daily_tokens_check", sql`${table.tokens} >= 0`)],
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
