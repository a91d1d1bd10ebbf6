import { z } from "@hono/zod-openapi";
import { AGENT_HEALTH_STATUSES } from "../../../drizzle/platform";

/**
 * What an agent may say about itself. `offline` is what the offline job concludes from its
 * silence and `unknown` what an agent that never reported is shown as: an agent that reports
 * is neither, so it may not claim them.
 */
export const REPORTABLE_STATUSES = ["healthy", "degraded", "failing"] as const;

/** The most `errorDetails` may weigh, as JSON text. */
export const ERROR_DETAILS_MAX_CHARS = 4096;
const ERROR_DETAILS_MAX_DEPTH = 6;

// eslint-disable-next-line no-control-regex
const JSON_TEXT_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** A UTF-16 surrogate without its partner: JSON can carry one, Postgres' jsonb refuses it (a 500 if it got there). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when every key and string inside `value` is text Postgres' jsonb takes, within the depth limit. */
function isStorableJson(value: unknown, depth = 0): boolean {
  if (depth > ERROR_DETAILS_MAX_DEPTH) return false;
  if (typeof value === "string") return !JSON_TEXT_FORBIDDEN.test(value) && !LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.every((item) => isStorableJson(item, depth + 1));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).every(([key, item]) => isStorableJson(key) && isStorableJson(item, depth + 1));
  }
  return true;
}

export const HealthReportBody = z
  .object({
    status: z.enum(REPORTABLE_STATUSES).openapi({ description: "What the agent says of itself (`offline` and `unknown` are not its to say)" }),
    responseTime: z.number().int().min(0).max(600_000).openapi({ description: "Milliseconds, 0 to 600000", example: 120 }),
    errorCount: z.number().int().min(0).max(1_000_000).openapi({ example: 0 }),
    errorDetails: z
      .record(z.string(), z.unknown())
      .refine((value) => JSON.stringify(value).length <= ERROR_DETAILS_MAX_CHARS, `At most ${ERROR_DETAILS_MAX_CHARS} characters as JSON`)
      .refine((value) => isStorableJson(value), `No control characters or lone surrogates, at most ${ERROR_DETAILS_MAX_DEPTH} levels deep`)
      .optional()
      .openapi({ description: `A JSON object, at most ${ERROR_DETAILS_MAX_CHARS} characters as JSON` }),
  })
  .openapi("AgentHealthReport");
export type HealthReportInput = z.infer<typeof HealthReportBody>;

/** The agent credential header; optional in the schema so that a missing key is the 401 every bad key is. */
export const AgentKeyHeaders = z.object({
  "x-agent-key": z.string().optional().openapi({ description: "The agent's API key (`mta_ag_…`), never a user's token" }),
});

export const ApiKeySchema = z
  .object({
    agentId: z.number().int(),
    apiKey: z.string().openapi({ description: "Shown this once: only its SHA-256 is kept" }),
    prefix: z.string().openapi({ description: "The key's public part, to tell keys apart", example: "mta_ag_Xk3v9QzA" }),
    rotatedAt: z.string(),
  })
  .openapi("AgentApiKey");
export type ApiKey = z.infer<typeof ApiKeySchema>;

const HealthStatus = z.enum(AGENT_HEALTH_STATUSES);

export const HealthCountsSchema = z
  .object({
    total: z.number().int(),
    failing: z.number().int(),
    degraded: z.number().int(),
    offline: z.number().int(),
    unknown: z.number().int(),
    healthy: z.number().int(),
  })
  .openapi("AgentHealthCounts");
export type HealthCounts = z.infer<typeof HealthCountsSchema>;

export const AgentHealthEntrySchema = z
  .object({
    agentId: z.number().int(),
    agentCode: z.string(),
    agentName: z.string(),
    agentType: z.string(),
    agentStatus: z.string().openapi({ description: "The agent's life-cycle status (active, suspended, ...)" }),
    status: HealthStatus.openapi({ description: "Its latest health; `unknown` when it never reported" }),
    lastCheckAt: z.string().nullable(),
    responseTime: z.number().int().nullable(),
    errorCount: z.number().int().nullable(),
    errorDetails: z.unknown().nullable(),
    hasApiKey: z.boolean(),
  })
  .openapi("AgentHealthEntry");
export type AgentHealthEntry = z.infer<typeof AgentHealthEntrySchema>;

export const DashboardSchema = z
  .object({
    counts: HealthCountsSchema.openapi({ description: "Over every agent, not only this page" }),
    items: z.array(AgentHealthEntrySchema),
    nextCursor: z.string().nullable(),
  })
  .openapi("AgentHealthDashboard");
export type Dashboard = z.infer<typeof DashboardSchema>;

export const PercentilesSchema = z
  .object({
    agentId: z.number().int(),
    agentCode: z.string(),
    reports: z.number().int().openapi({ description: "Reports with a response time in the window" }),
    p50: z.number().nullable(),
    p95: z.number().nullable(),
    p99: z.number().nullable(),
    max: z.number().int().nullable(),
  })
  .openapi("AgentResponsePercentiles");
export type Percentiles = z.infer<typeof PercentilesSchema>;

export const HistoryEntrySchema = z
  .object({
    kind: z.enum(["report", "day"]).openapi({ description: "One report, or a summarised UTC day (older than 30 days)" }),
    at: z.string().openapi({ description: "The report's time, or the day's start (UTC)" }),
    status: HealthStatus.nullable().openapi({ description: "A report's status (null for a day)" }),
    responseTime: z.number().int().nullable().openapi({ description: "A report's response time, or the day's average" }),
    errorCount: z.number().int(),
    errorDetails: z.unknown().nullable(),
    day: z
      .object({
        reports: z.number().int(),
        healthy: z.number().int(),
        degraded: z.number().int(),
        failing: z.number().int(),
        offline: z.number().int(),
        unknown: z.number().int(),
        p50ResponseTime: z.number().int().nullable(),
        p95ResponseTime: z.number().int().nullable(),
        maxResponseTime: z.number().int().nullable(),
      })
      .nullable()
      .openapi({ description: "The day's summary (null for a report)" }),
  })
  .openapi("AgentHealthHistoryEntry");
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export const AcceptedReportSchema = z
  .object({
    agentId: z.number().int(),
    agentCode: z.string(),
    status: z.enum(REPORTABLE_STATUSES),
    reportedAt: z.string(),
  })
  .openapi("AgentHealthReportAccepted");
