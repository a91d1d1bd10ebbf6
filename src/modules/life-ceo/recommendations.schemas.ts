import { z } from "@hono/zod-openapi";
import { RECOMMENDATION_SOURCES, RECOMMENDATION_STATUSES } from "../../../drizzle/ai";
import { PageQuery } from "../../lib/pagination";
import { INT4_MAX, PositiveIntId } from "../../lib/text";
import { isoUtc } from "../../lib/time";
import { TaskSchema } from "./life-ceo.schemas";

/** Bounds of what the model may write (longer is dropped, not cut) and of one generation. */
export const RECOMMENDATION_LIMITS = {
  title: 120,
  body: 1_000,
  /** Goals per model call: one prompt, one reply. */
  goalsPerCall: 5,
} as const;

export const RecommendationStatusSchema = z.enum(RECOMMENDATION_STATUSES);

export const GenerateBody = z
  .object({
    goalIds: z
      .array(z.number().int().min(1).max(INT4_MAX))
      .min(1)
      .max(RECOMMENDATION_LIMITS.goalsPerCall)
      .optional()
      .openapi({ description: `Only these goals (the caller's, at most ${RECOMMENDATION_LIMITS.goalsPerCall}); all active goals when left out` }),
  })
  .openapi("GenerateRecommendationsInput");

export const RecommendationsQuery = PageQuery.extend({
  status: RecommendationStatusSchema.optional(),
  goalId: PositiveIntId.optional().openapi({ type: "integer", description: "One goal's recommendations" }),
});

export const RecommendationSchema = z
  .object({
    id: z.number().int(),
    goalId: z.number().int(),
    goalTitle: z.string(),
    domainId: z.number().int().nullable(),
    domainName: z.string().nullable(),
    week: z.string().openapi({ format: "date", description: "The Monday (UTC) of the week it is for" }),
    title: z.string(),
    body: z.string(),
    status: RecommendationStatusSchema,
    source: z.enum(RECOMMENDATION_SOURCES),
    taskId: z.number().int().nullable().openapi({ description: "The task made when it was accepted" }),
    createdAt: z.string().openapi({ format: "date-time" }),
    respondedAt: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("LifeCeoRecommendation");

export type Recommendation = z.infer<typeof RecommendationSchema>;

export const AcceptedSchema = z
  .object({ recommendation: RecommendationSchema, task: TaskSchema.openapi({ description: "The task made from it, as the tasks routes show tasks" }) })
  .openapi("LifeCeoRecommendationAccepted");

export const GeneratedSchema = z.object({ items: z.array(RecommendationSchema) }).openapi("LifeCeoRecommendationsGenerated");

/** A recommendation as SQL selects it (`recommendationColumns`). */
export type RecommendationRow = {
  id: number | string;
  goal_id: number | string;
  goal_title: string;
  domain_id: number | string | null;
  domain_name: string | null;
  week: string;
  title: string;
  body: string;
  status: string;
  source: string;
  task_id: number | string | null;
  created_at: string;
  responded_at: string | null;
};

const intOrNull = (value: number | string | null) => (value === null ? null : Number(value));

export function toRecommendation(row: RecommendationRow): Recommendation {
  return {
    id: Number(row.id),
    goalId: Number(row.goal_id),
    goalTitle: row.goal_title,
    domainId: intOrNull(row.domain_id),
    domainName: row.domain_name,
    week: String(row.week).slice(0, 10),
    title: row.title,
    body: row.body,
    status: row.status as Recommendation["status"],
    source: row.source as Recommendation["source"],
    taskId: intOrNull(row.task_id),
    createdAt: isoUtc(row.created_at),
    respondedAt: isoUtc(row.responded_at),
  };
}
