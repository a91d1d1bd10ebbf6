import { z } from "@hono/zod-openapi";
import { AGENT_TASK_STATUSES } from "../../../drizzle/platform";
import { PageQuery } from "../../lib/pagination";
import { multiLine, singleLine } from "../../lib/text";

export const TASK_PRIORITIES = ["low", "medium", "high", "critical"] as const;

/** A task's input or result: any JSON object, capped. */
const JsonObject = z
  .record(z.string(), z.unknown())
  .refine((value) => JSON.stringify(value).length <= 65_536, "At most 64 KB of JSON");

export const AssignTaskBody = z
  .strictObject({
    title: singleLine(200, 1),
    description: multiLine(5000).optional(),
    priority: z.enum(TASK_PRIORITIES).default("medium"),
    input: JsonObject.optional(),
  })
  .openapi("AssignAgentTaskRequest");
export type AssignTaskInput = z.infer<typeof AssignTaskBody>;

export const CompleteTaskBody = z.strictObject({ result: JsonObject.optional() }).openapi("CompleteAgentTaskRequest");
export const FailTaskBody = z.strictObject({ error: multiLine(5000, 1) }).openapi("FailAgentTaskRequest");

export const TaskListQuery = PageQuery.extend({ status: z.enum(AGENT_TASK_STATUSES).optional() });

export const AgentTaskSchema = z
  .object({
    id: z.number().int(),
    agentId: z.number().int(),
    title: z.string(),
    description: z.string().nullable(),
    priority: z.enum(TASK_PRIORITIES),
    status: z.enum(AGENT_TASK_STATUSES),
    input: z.record(z.string(), z.unknown()).nullable(),
    result: z.record(z.string(), z.unknown()).nullable(),
    errorMessage: z.string().nullable(),
    assignedBy: z.number().int().nullable(),
    assignedAt: z.string(),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    durationSeconds: z.number().int().nullable().openapi({ description: "From start (or assignment, if never started) to the end" }),
  })
  .openapi("AgentTask");
export type AgentTask = z.infer<typeof AgentTaskSchema>;
