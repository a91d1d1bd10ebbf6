import { z } from "@hono/zod-openapi";
import { GOAL_PRIORITIES, GOAL_STATUSES } from "../../../drizzle/ai";
import { PageQuery } from "../../lib/pagination";
import { DateOnly, INT4_MAX, PositiveIntId, multiLine, singleLine } from "../../lib/text";
import { TimeZone } from "../events";

/**
 * The request bodies and queries of the Life CEO routes and their limits. Each field is checked
 * here on its own; what depends on stored rows (a known domain, a legal status move, a progress
 * set by hand only on a goal without milestones or tasks) is checked in the statement that writes.
 */
export const LIFE_CEO_LIMITS = {
  title: 200,
  text: 4000,
  /** The most goals a dancer may hold (any status): 409 `goal_limit_reached` past it. */
  goals: 200,
  /** The most milestones of one goal, and the most ids a reorder takes. */
  milestones: 100,
  /** The most tasks a reorder takes (a goal's or a domain's). */
  reorder: 500,
} as const;

const Id = z.number().int().min(1).max(INT4_MAX);
const title = singleLine(LIFE_CEO_LIMITS.title, 1).openapi({ example: "Dance a full tanda of vals with musicality" });
const Priority = z.enum(GOAL_PRIORITIES).openapi({ description: "low, medium (default) or high" });
export const GoalStatusSchema = z.enum(GOAL_STATUSES).openapi({ description: "active, paused, completed or abandoned" });
const Progress = z.number().int().min(0).max(100).openapi({ description: "0-100, set by hand (only on a goal without milestones or tasks)" });

export const CreateGoalBody = z
  .object({
    title,
    description: multiLine(LIFE_CEO_LIMITS.text).nullable().optional(),
    domainId: Id.nullable().optional().openapi({ description: "One of GET /api/life-ceo/domains" }),
    targetDate: DateOnly.nullable().optional(),
    priority: Priority.default("medium"),
    status: GoalStatusSchema.default("active"),
    progress: Progress.default(0),
  })
  .openapi("CreateLifeCeoGoal");
export type CreateGoalInput = z.infer<typeof CreateGoalBody>;

/** Any subset; `null` clears an optional field; an empty body changes nothing. */
export const UpdateGoalBody = z
  .object({
    title,
    description: multiLine(LIFE_CEO_LIMITS.text).nullable(),
    domainId: Id.nullable(),
    targetDate: DateOnly.nullable(),
    priority: Priority,
    status: GoalStatusSchema,
    progress: Progress,
  })
  .partial()
  .openapi("UpdateLifeCeoGoal");
export type UpdateGoalInput = z.infer<typeof UpdateGoalBody>;

const IdQuery = PositiveIntId.openapi({ type: "integer", example: 3 });

export const GoalListQuery = PageQuery.extend({
  status: GoalStatusSchema.optional(),
  domainId: IdQuery.optional(),
});

export const CreateMilestoneBody = z.object({ title, dueDate: DateOnly.nullable().optional() }).openapi("CreateLifeCeoMilestone");
export type CreateMilestoneInput = z.infer<typeof CreateMilestoneBody>;

export const UpdateMilestoneBody = z
  .object({ title, dueDate: DateOnly.nullable(), done: z.boolean() })
  .partial()
  .openapi("UpdateLifeCeoMilestone");
export type UpdateMilestoneInput = z.infer<typeof UpdateMilestoneBody>;

export const MilestoneOrderBody = z
  .object({
    ids: z.array(Id).max(LIFE_CEO_LIMITS.milestones).openapi({ description: "Every milestone of the goal, each once, in the new order", example: [3, 1, 2] }),
  })
  .openapi("LifeCeoMilestoneOrder");

export const CreateTaskBody = z
  .object({
    title,
    notes: multiLine(LIFE_CEO_LIMITS.text).nullable().optional(),
    domainId: Id.optional().openapi({ description: "The task's domain (a task outside any goal)" }),
    goalId: Id.optional().openapi({ description: "The task's goal (the task takes the goal's domain)" }),
    dueDate: DateOnly.nullable().optional(),
    priority: Priority.default("medium"),
  })
  .refine((body) => (body.domainId === undefined) !== (body.goalId === undefined), {
    message: "Give either domainId or goalId",
    path: ["goalId"],
  })
  .openapi("CreateLifeCeoTask");
export type CreateTaskInput = z.infer<typeof CreateTaskBody>;

export const UpdateTaskBody = z
  .object({
    title,
    notes: multiLine(LIFE_CEO_LIMITS.text).nullable(),
    dueDate: DateOnly.nullable(),
    priority: Priority,
    done: z.boolean(),
  })
  .partial()
  .openapi("UpdateLifeCeoTask");
export type UpdateTaskInput = z.infer<typeof UpdateTaskBody>;

export const TaskListQuery = PageQuery.extend({
  goalId: IdQuery.optional(),
  domainId: IdQuery.optional(),
  done: z
    .enum(["true", "false"])
    .transform((value) => value === "true")
    .optional()
    .openapi({ type: "boolean", description: "`true`: done tasks only; `false`: open ones only" }),
});

export const TaskOrderBody = z
  .object({
    goalId: Id.optional(),
    domainId: Id.optional(),
    ids: z.array(Id).max(LIFE_CEO_LIMITS.reorder).openapi({ description: "Every task of that goal (or of that domain outside goals), each once, in the new order", example: [3, 1, 2] }),
  })
  .refine((body) => (body.domainId === undefined) !== (body.goalId === undefined), {
    message: "Give either domainId or goalId",
    path: ["goalId"],
  })
  .openapi("LifeCeoTaskOrder");
export type TaskOrderInput = z.infer<typeof TaskOrderBody>;

export const AgendaQuery = PageQuery.extend({
  date: DateOnly.optional().openapi({ description: "The day (default: today in `tz`)" }),
  tz: TimeZone.optional().openapi({ description: "The dancer's time zone, for today (default UTC)" }),
});

export const DashboardQuery = z.object({
  tz: TimeZone.optional().openapi({ description: "The dancer's time zone, for today (default UTC)" }),
});

/** Today's date (`YYYY-MM-DD`) in `zone` at `now`. */
export function todayIn(now: Date, zone = "UTC"): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

/** A list that takes only `limit` and `cursor`. */
export const PageQueryOnly = PageQuery;
