import {
  type AnyPgColumn,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
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
  },
  (table) => [
    index("esa_agents_agent_code_idx").on(table.agentCode),
    index("esa_agents_agent_type_idx").on(table.agentType),
    index("esa_agents_status_idx").on(table.status),
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
    index("agent_health_agent_code_idx").on(table.agentCode),
    index("agent_health_status_idx").on(table.status),
    index("agent_health_last_check_idx").on(table.lastCheckAt),
  ],
);

export const deployments = pgTable(
  "deployments",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .references(() => users.id)
      .notNull(),

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
  },
  (table) => [index("deployments_user_id_idx").on(table.userId), index("deployments_status_idx").on(table.status)],
);

export const insertEsaAgentSchema = createInsertSchema(esaAgents).omit({ id: true, createdAt: true, updatedAt: true });
export const selectEsaAgentSchema = createSelectSchema(esaAgents);
export const insertDeploymentSchema = createInsertSchema(deployments).omit({
  id: true,
  createdAt: true,
  updatedAt: true,
});
