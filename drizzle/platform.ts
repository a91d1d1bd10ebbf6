import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";
import { createInsertSchema, createSelectSchema } from "drizzle-zod";
import { users } from "./users";

export const ESA_AGENT_TYPES = [
  "page",
  "component",
  "algorithm",
  "layer",
  "division",
  "board",
  "journey",
  "dataflow",
  "mr_blue",
  "life_ceo",
] as const;
export const ESA_AGENT_STATUSES = ["inactive", "training", "certified", "active", "suspended"] as const;
export const AGENT_HEALTH_STATUSES = ["healthy", "degraded", "failing", "offline", "unknown"] as const;
export const DEPLOYMENT_TYPES = ["production", "preview", "rollback"] as const;
export const DEPLOYMENT_STATUSES = ["pending", "building", "deploying", "success", "failed", "cancelled"] as const;

export const esaAgents = pgTable(
  "esa_agents",
  {
    id: serial("id").primaryKey(),

    // Identification
    agentCode: varchar("agent_code", { length: 50 }).notNull().unique(),
    agentName: varchar("agent_name", { length: 255 }).notNull(),
    agentType: varchar("agent_type", { length: 50 }).notNull(),

    // Hierarchy
    parentAgentId: integer("parent_agent_id").references((): AnyPgColumn => esaAgents.id),
    divisionChiefId: integer("division_chief_id").references((): AnyPgColumn => esaAgents.id),
    layerNumber: integer("layer_number"),
    tier: integer("tier"),

    // Details
    description: text("description"),
    responsibilities: text("responsibilities").array(),
    competencies: text("competencies").array(),

    // Status and certification
    status: varchar("status", { length: 20 }).notNull().default("inactive"),
    certificationLevel: integer("certification_level").default(0),
    certifiedAt: timestamp("certified_at"),

    // Training
    trainingMethodology: varchar("training_methodology", { length: 100 }),
    trainingCompletedAt: timestamp("training_completed_at"),

    // Performance
    tasksCompleted: integer("tasks_completed").default(0),
    tasksSuccess: integer("tasks_success").default(0),
    tasksFailed: integer("tasks_failed").default(0),
    avgCompletionTime: integer("avg_completion_time"),
    lastActiveAt: timestamp("last_active_at"),

    configuration: jsonb("configuration"),

    createdAt: timestamp("created_at").defaultNow(),
    updatedAt: timestamp("updated_at").defaultNow(),

    /** The status a suspension interrupted, which lifting it returns to (null unless suspended). */
    suspendedFrom: varchar("suspended_from", { length: 20 }),
    /**
     * The agent's own credential for reporting health: the SHA-256 of its API key (the key is
     * shown once, when made or rotated), and the key's public prefix to tell keys apart in logs
     * and lists. Never a user's token.
     */
    apiKeyHash: text("api_key_hash"),
    apiKeyPrefix: varchar("api_key_prefix", { length: 24 }),
    apiKeyRotatedAt: timestamp("api_key_rotated_at"),
  },
  (table) => [
    index("esa_agents_agent_code_idx").on(table.agentCode),
    index("esa_agents_agent_type_idx").on(table.agentType),
    index("esa_agents_status_idx").on(table.status),
    index("esa_agents_parent_idx").on(table.parentAgentId),
    uniqueIndex("esa_agents_api_key_hash_idx").on(table.apiKeyHash),
    check(
      "esa_agents_type_check",
      sql`${table.agentType} IN ('page', 'component', 'algorithm', 'layer', 'division', 'board', 'journey', 'dataflow', 'mr_blue', 'life_ceo')`,
    ),
    check("esa_agents_status_check", sql`${table.status} IN ('inactive', 'training', 'certified', 'active', 'suspended')`),
    check("esa_agents_suspended_from_check", sql`(${table.status} = 'suspended') = (${table.suspendedFrom} IS NOT NULL)`),
    check("esa_agents_layer_check", sql`${table.layerNumber} BETWEEN 1 AND 61`),
    check("esa_agents_tier_check", sql`${table.tier} BETWEEN 1 AND 6`),
    check("esa_agents_certification_check", sql`${table.certificationLevel} BETWEEN 0 AND 3`),
  ],
);

export const agentHealth = pgTable(
  "agent_health",
  {
    id: serial("id").primaryKey(),
    agentCode: varchar("agent_code").notNull(),
    status: varchar("status").default("unknown").notNull(),
    lastCheckAt: timestamp("last_check_at").defaultNow().notNull(),
    responseTime: integer("response_time"),
    errorCount: integer("error_count").default(0),
    errorDetails: jsonb("error_details"),
    metadata: jsonb("metadata"),
    createdAt: timestamp("created_at").defaultNow(),
    updatedAt: timestamp("updated_at").defaultNow(),
  },
  (table) => [
    // One row per agent: its latest report (the history is agent_health_reports).
    uniqueIndex("agent_health_agent_code_idx").on(table.agentCode),
    index("agent_health_status_idx").on(table.status),
    index("agent_health_last_check_idx").on(table.lastCheckAt),
    check("agent_health_status_check", sql`${table.status} IN ('healthy', 'degraded', 'failing', 'offline', 'unknown')`),
  ],
);

/** Every health report an agent sent, for percentiles and history; older than 30 days, summarised into agent_health_daily. */
export const agentHealthReports = pgTable(
  "agent_health_reports",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    agentCode: varchar("agent_code", { length: 50 }).notNull(),
    status: varchar("status", { length: 20 }).notNull(),
    responseTime: integer("response_time"),
    errorCount: integer("error_count").notNull().default(0),
    errorDetails: jsonb("error_details"),
    reportedAt: timestamp("reported_at").defaultNow().notNull(),
  },
  (table) => [
    index("agent_health_reports_agent_time_idx").on(table.agentCode, table.reportedAt),
    index("agent_health_reports_time_idx").on(table.reportedAt),
    check("agent_health_reports_status_check", sql`${table.status} IN ('healthy', 'degraded', 'failing', 'offline', 'unknown')`),
  ],
);

/** One agent's health reports of one UTC day, once they are older than 30 days. */
export const agentHealthDaily = pgTable(
  "agent_health_daily",
  {
    agentCode: varchar("agent_code", { length: 50 }).notNull(),
    day: date("day").notNull(),
    reports: integer("reports").notNull(),
    healthy: integer("healthy").notNull().default(0),
    degraded: integer("degraded").notNull().default(0),
    failing: integer("failing").notNull().default(0),
    offline: integer("offline").notNull().default(0),
    unknown: integer("unknown").notNull().default(0),
    errorCount: integer("error_count").notNull().default(0),
    avgResponseTime: integer("avg_response_time"),
    p50ResponseTime: integer("p50_response_time"),
    p95ResponseTime: integer("p95_response_time"),
    maxResponseTime: integer("max_response_time"),
  },
  (table) => [primaryKey({ columns: [table.agentCode, table.day] })],
);

export const deployments = pgTable(
  "deployments",
  {
    id: serial("id").primaryKey(),
    /** Who recorded it: an admin (a rollback record); null when CI reported it through the webhook. */
    userId: integer("user_id").references(() => users.id),

    type: varchar("type", { length: 20 }).notNull(),
    status: varchar("status", { length: 20 }).notNull(),

    gitCommitSha: varchar("git_commit_sha", { length: 40 }),
    gitBranch: varchar("git_branch", { length: 255 }).notNull(),
    gitCommitMessage: text("git_commit_message"),

    vercelUrl: text("vercel_url"),
    railwayUrl: text("railway_url"),
    vercelDeploymentId: varchar("vercel_deployment_id", { length: 255 }),
    railwayDeploymentId: varchar("railway_deployment_id", { length: 255 }),

    buildLogs: text("build_logs"),
    errorMessage: text("error_message"),

    startedAt: timestamp("started_at").defaultNow(),
    completedAt: timestamp("completed_at"),
    durationSeconds: integer("duration_seconds"),

    createdAt: timestamp("created_at").defaultNow(),
    updatedAt: timestamp("updated_at").defaultNow(),

    /** CI's own id for the deployment (its run id), unique: the webhook's reports of one deployment update one row. */
    externalId: varchar("external_id", { length: 100 }),
    /** Who started it on CI's side (a login name), as CI reported it. */
    triggeredBy: varchar("triggered_by", { length: 100 }),
    /** The Cloudflare deployment: its version id and URL. */
    versionId: varchar("version_id", { length: 100 }),
    url: text("url"),
    /** A rollback record: the earlier successful deployment it returns to. */
    rollbackOfId: integer("rollback_of_id").references((): AnyPgColumn => deployments.id),
    /** When each move happened (building, deploying); startedAt is pending, completedAt the end. */
    buildingAt: timestamp("building_at"),
    deployingAt: timestamp("deploying_at"),
  },
  (table) => [
    index("deployments_user_id_idx").on(table.userId),
    index("deployments_status_idx").on(table.status),
    uniqueIndex("deployments_external_id_idx").on(table.externalId),
    index("deployments_branch_time_idx").on(table.gitBranch, table.createdAt),
    index("deployments_time_idx").on(table.createdAt, table.id),
    check("deployments_type_check", sql`${table.type} IN ('production', 'preview', 'rollback')`),
    check("deployments_status_check", sql`${table.status} IN ('pending', 'building', 'deploying', 'success', 'failed', 'cancelled')`),
    check("deployments_duration_check", sql`${table.durationSeconds} >= 0`),
  ],
);

/**
 * Signed webhook deliveries already accepted (the SHA-256 of their signature): a replay of one
 * is refused. Kept a little longer than the 5-minute timestamp window, then cleaned up.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    signatureHash: text("signature_hash").primaryKey(),
    source: varchar("source", { length: 30 }).notNull(),
    receivedAt: timestamp("received_at").defaultNow().notNull(),
  },
  (table) => [index("webhook_deliveries_received_idx").on(table.receivedAt)],
);

export const AGENT_TASK_STATUSES = ["assigned", "in_progress", "completed", "failed"] as const;

/** Work assigned to an agent: assigned → in_progress → completed | failed (the agent's counters move with the end). */
export const agentTasks = pgTable(
  "agent_tasks",
  {
    id: serial("id").primaryKey(),
    agentId: integer("agent_id")
      .references(() => esaAgents.id, { onDelete: "cascade" })
      .notNull(),
    title: varchar("title", { length: 200 }).notNull(),
    description: text("description"),
    priority: varchar("priority", { length: 10 }).notNull().default("medium"),
    status: varchar("status", { length: 20 }).notNull().default("assigned"),
    input: jsonb("input"),
    result: jsonb("result"),
    errorMessage: text("error_message"),
    assignedBy: integer("assigned_by").references(() => users.id, { onDelete: "set null" }),
    assignedAt: timestamp("assigned_at").defaultNow().notNull(),
    startedAt: timestamp("started_at"),
    completedAt: timestamp("completed_at"),
    durationSeconds: integer("duration_seconds"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    index("agent_tasks_agent_status_idx").on(table.agentId, table.status, table.id),
    index("agent_tasks_status_idx").on(table.status, table.id),
    check("agent_tasks_status_check", sql`${table.status} IN ('assigned', 'in_progress', 'completed', 'failed')`),
    check("agent_tasks_priority_check", sql`${table.priority} IN ('low', 'medium', 'high', 'critical')`),
  ],
);

/** Messages between agents (the original's H2AC), in threads: a reply names its thread's first message. */
export const agentCommunications = pgTable(
  "agent_communications",
  {
    id: serial("id").primaryKey(),
    threadId: integer("thread_id").references((): AnyPgColumn => agentCommunications.id, { onDelete: "cascade" }),
    fromAgentId: integer("from_agent_id")
      .references(() => esaAgents.id, { onDelete: "cascade" })
      .notNull(),
    toAgentId: integer("to_agent_id").references(() => esaAgents.id, { onDelete: "cascade" }),
    messageType: varchar("message_type", { length: 30 }).notNull().default("message"),
    subject: varchar("subject", { length: 200 }),
    body: text("body").notNull(),
    metadata: jsonb("metadata"),
    sentBy: integer("sent_by").references(() => users.id, { onDelete: "set null" }),
    readAt: timestamp("read_at"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    index("agent_communications_thread_idx").on(table.threadId, table.id),
    index("agent_communications_from_idx").on(table.fromAgentId, table.id),
    index("agent_communications_to_idx").on(table.toAgentId, table.id),
  ],
);

export const VALIDATION_RESULTS = ["passed", "failed", "warning"] as const;

/** A named check run against an agent, its result and details. */
export const validationChecks = pgTable(
  "validation_checks",
  {
    id: serial("id").primaryKey(),
    agentId: integer("agent_id")
      .references(() => esaAgents.id, { onDelete: "cascade" })
      .notNull(),
    checkName: varchar("check_name", { length: 100 }).notNull(),
    result: varchar("result", { length: 10 }).notNull(),
    details: jsonb("details"),
    checkedBy: integer("checked_by").references(() => users.id, { onDelete: "set null" }),
    checkedAt: timestamp("checked_at").defaultNow().notNull(),
  },
  (table) => [
    index("validation_checks_agent_idx").on(table.agentId, table.checkedAt, table.id),
    check("validation_checks_result_check", sql`${table.result} IN ('passed', 'failed', 'warning')`),
  ],
);

/**
 * Feature rollout control. A flag is on for a dancer when it is enabled, the dancer is not on the
 * deny list, and either on the allow list or inside every targeting rule set: role level at
 * least min_level, city among cities (empty: any), and the stable hash of (key, user id) under
 * rollout_percentage.
 */
export const featureFlags = pgTable(
  "feature_flags",
  {
    id: serial("id").primaryKey(),
    key: varchar("key", { length: 64 }).notNull().unique(),
    description: text("description"),
    enabled: boolean("enabled").notNull().default(false),
    rolloutPercentage: smallint("rollout_percentage").notNull().default(100),
    allowUserIds: integer("allow_user_ids").array().notNull().default(sql`'{}'::integer[]`),
    denyUserIds: integer("deny_user_ids").array().notNull().default(sql`'{}'::integer[]`),
    minLevel: smallint("min_level"),
    cities: text("cities").array().notNull().default(sql`'{}'::text[]`),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    updatedBy: integer("updated_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at").defaultNow().notNull(),
    updatedAt: timestamp("updated_at").defaultNow().notNull(),
  },
  (table) => [
    check("feature_flags_key_check", sql`${table.key} ~ '^[a-z0-9][a-z0-9_.-]*$'`),
    check("feature_flags_rollout_check", sql`${table.rolloutPercentage} BETWEEN 0 AND 100`),
    check("feature_flags_min_level_check", sql`${table.minLevel} BETWEEN 1 AND 8`),
  ],
);

/** Client events as sent (batched), kept 90 days; the daily figures are platform_daily_stats. */
export const analyticsEvents = pgTable(
  "analytics_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    userId: integer("user_id").references(() => users.id, { onDelete: "set null" }),
    name: varchar("name", { length: 64 }).notNull(),
    properties: jsonb("properties"),
    occurredAt: timestamp("occurred_at").notNull(),
    receivedAt: timestamp("received_at").defaultNow().notNull(),
  },
  (table) => [
    index("analytics_events_time_idx").on(table.occurredAt),
    index("analytics_events_user_time_idx").on(table.userId, table.occurredAt),
    index("analytics_events_name_time_idx").on(table.name, table.occurredAt),
  ],
);

/** The daily platform figures, rolled up by a Cron Trigger: one row per day for the world (city '') and per city. */
export const platformDailyStats = pgTable(
  "platform_daily_stats",
  {
    day: date("day").notNull(),
    city: text("city").notNull().default(""),
    activeDancers: integer("active_dancers").notNull().default(0),
    newRegistrations: integer("new_registrations").notNull().default(0),
    posts: integer("posts").notNull().default(0),
    rsvps: integer("rsvps").notNull().default(0),
    messages: integer("messages").notNull().default(0),
    clientEvents: integer("client_events").notNull().default(0),
    computedAt: timestamp("computed_at").defaultNow().notNull(),
  },
  (table) => [primaryKey({ columns: [table.day, table.city] }), index("platform_daily_stats_city_day_idx").on(table.city, table.day)],
);

/**
 * Every admin write: who, what, the object's row before and after (as JSON, secrets left out),
 * and when. Written in the same statement as the write it records (src/modules/audit).
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    actorId: integer("actor_id").references(() => users.id, { onDelete: "set null" }),
    action: varchar("action", { length: 64 }).notNull(),
    objectType: varchar("object_type", { length: 40 }).notNull(),
    objectId: varchar("object_id", { length: 100 }),
    before: jsonb("before"),
    after: jsonb("after"),
    createdAt: timestamp("created_at").defaultNow().notNull(),
  },
  (table) => [
    index("audit_log_time_idx").on(table.createdAt, table.id),
    index("audit_log_actor_idx").on(table.actorId, table.createdAt, table.id),
    index("audit_log_object_idx").on(table.objectType, table.objectId, table.createdAt, table.id),
    index("audit_log_action_idx").on(table.action, table.createdAt, table.id),
  ],
);

export const insertEsaAgentSchema = createInsertSchema(esaAgents).omit({ id: true, createdAt: true, updatedAt: true });
export const selectEsaAgentSchema = createSelectSchema(esaAgents);
export const insertDeploymentSchema = createInsertSchema(deployments).omit({
  id: true,
  createdAt: true,
  updatedAt: true,
});
