import { z } from "@hono/zod-openapi";
import { GOAL_PRIORITIES, GOAL_STATUSES, RECOMMENDATION_STATUSES } from "../../../drizzle/ai";
import { isoUtc } from "../../lib/time";

export const goalPath = (id: number) => `/api/life-ceo/goals/${id}`;

export const DomainSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    agentId: z.string().openapi({ example: "P66" }),
    description: z.string().nullable(),
    icon: z.string().nullable(),
    color: z.string().nullable(),
  })
  .openapi("LifeCeoDomain");
export type Domain = z.infer<typeof DomainSchema>;

const date = z.string().openapi({ format: "date" });
const dateTime = z.string().openapi({ format: "date-time" });

export const GoalSchema = z
  .object({
    id: z.number().int(),
    path: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    domainId: z.number().int().nullable(),
    targetDate: date.nullable(),
    priority: z.enum(GOAL_PRIORITIES),
    status: z.enum(GOAL_STATUSES),
    progress: z.number().int().openapi({ description: "0-100: done / total of the milestones and tasks, or the manual value when there are none" }),
    progressSource: z.enum(["milestones", "manual"]),
    milestones: z.number().int().openapi({ description: "How many milestones the goal has" }),
    tasks: z.number().int().openapi({ description: "How many tasks the goal has" }),
    done: z.number().int().openapi({ description: "How many of those are done" }),
    createdAt: dateTime,
    updatedAt: dateTime,
    completedAt: dateTime.nullable(),
  })
  .openapi("LifeCeoGoal");
export type Goal = z.infer<typeof GoalSchema>;

export const MilestoneSchema = z
  .object({
    id: z.number().int(),
    goalId: z.number().int(),
    title: z.string(),
    dueDate: date.nullable(),
    position: z.number().int(),
    done: z.boolean(),
    completedAt: dateTime.nullable(),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .openapi("LifeCeoMilestone");
export type Milestone = z.infer<typeof MilestoneSchema>;

export const TaskSchema = z
  .object({
    id: z.number().int(),
    goalId: z.number().int().nullable(),
    domainId: z.number().int().nullable(),
    title: z.string(),
    notes: z.string().nullable(),
    dueDate: date.nullable(),
    priority: z.enum(GOAL_PRIORITIES),
    position: z.number().int(),
    done: z.boolean(),
    completedAt: dateTime.nullable(),
    recommendationId: z.number().int().nullable(),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .openapi("LifeCeoTask");
export type Task = z.infer<typeof TaskSchema>;

export const AgendaItemSchema = z
  .object({
    kind: z.enum(["task", "milestone"]),
    id: z.number().int(),
    goalId: z.number().int().nullable(),
    domainId: z.number().int().nullable(),
    title: z.string(),
    dueDate: date,
    done: z.boolean(),
    overdue: z.boolean().openapi({ description: "Due before the day and not done" }),
  })
  .openapi("LifeCeoAgendaItem");
export type AgendaItem = z.infer<typeof AgendaItemSchema>;

export const AgendaSchema = z
  .object({ date, items: z.array(AgendaItemSchema), nextCursor: z.string().nullable() })
  .openapi("LifeCeoAgenda");

const DashboardGoalSchema = GoalSchema.pick({ id: true, path: true, title: true, status: true, priority: true, targetDate: true, progress: true, progressSource: true });

export const DashboardSchema = z
  .object({
    date: date.openapi({ description: "Today in the given time zone" }),
    domains: z.array(
      z.object({
        domain: DomainSchema.nullable().openapi({ description: "null: the goals and tasks without a domain" }),
        goals: z.array(DashboardGoalSchema),
        openTasks: z.number().int(),
        doneTasks: z.number().int(),
        dueToday: z.number().int().openapi({ description: "Open tasks and milestones due today" }),
        overdue: z.number().int().openapi({ description: "Open tasks and milestones due before today" }),
      }),
    ),
    recommendations: z.array(
      z.object({ id: z.number().int(), title: z.string(), status: z.enum(RECOMMENDATION_STATUSES), goalId: z.number().int(), createdAt: dateTime }),
    ),
  })
  .openapi("LifeCeoDashboard");
export type Dashboard = z.infer<typeof DashboardSchema>;

type Num = number | string;

export type GoalRow = {
  id: Num;
  title: string;
  description: string | null;
  domain_id: Num | null;
  target_date: string | null;
  priority: string;
  status: string;
  progress: Num;
  progress_source: string;
  milestone_count: Num;
  task_count: Num;
  done_count: Num;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
};

const numOrNull = (value: Num | null) => (value === null ? null : Number(value));

export function toGoal(row: GoalRow): Goal {
  const id = Number(row.id);
  return {
    id,
    path: goalPath(id),
    title: row.title,
    description: row.description,
    domainId: numOrNull(row.domain_id),
    targetDate: row.target_date,
    priority: row.priority as Goal["priority"],
    status: row.status as Goal["status"],
    progress: Number(row.progress),
    progressSource: row.progress_source as Goal["progressSource"],
    milestones: Number(row.milestone_count),
    tasks: Number(row.task_count),
    done: Number(row.done_count),
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
    completedAt: isoUtc(row.completed_at),
  };
}

export type MilestoneRow = {
  id: Num;
  goal_id: Num;
  title: string;
  due_date: string | null;
  position: Num;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
};

export function toMilestone(row: MilestoneRow): Milestone {
  return {
    id: Number(row.id),
    goalId: Number(row.goal_id),
    title: row.title,
    dueDate: row.due_date,
    position: Number(row.position),
    done: row.completed_at !== null,
    completedAt: isoUtc(row.completed_at),
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
  };
}

export type TaskRow = {
  id: Num;
  goal_id: Num | null;
  domain_id: Num | null;
  title: string;
  notes: string | null;
  due_date: string | null;
  priority: string;
  position: Num;
  completed_at: string | null;
  recommendation_id: Num | null;
  created_at: string;
  updated_at: string;
};

export function toTask(row: TaskRow): Task {
  return {
    id: Number(row.id),
    goalId: numOrNull(row.goal_id),
    domainId: numOrNull(row.domain_id),
    title: row.title,
    notes: row.notes,
    dueDate: row.due_date,
    priority: row.priority as Task["priority"],
    position: Number(row.position),
    done: row.completed_at !== null,
    completedAt: isoUtc(row.completed_at),
    recommendationId: numOrNull(row.recommendation_id),
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
  };
}
