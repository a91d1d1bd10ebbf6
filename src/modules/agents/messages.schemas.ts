import { z } from "@hono/zod-openapi";
import { VALIDATION_RESULTS } from "../../../drizzle/platform";
import { PageQuery } from "../../lib/pagination";
import { multiLine, singleLine } from "../../lib/text";

const AgentRef = z.number().int().min(1).max(2_147_483_647);

export const SendMessageBody = z
  .strictObject({
    toAgentId: AgentRef.optional().openapi({ description: "None: a broadcast" }),
    threadId: AgentRef.optional().openapi({ description: "A reply: the id of the thread's first message" }),
    messageType: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,29}$/, "Lowercase letters, digits and _ (at most 30)")
      .default("message")
      .openapi({ example: "handoff" }),
    subject: singleLine(200, 1).optional(),
    body: multiLine(10_000, 1),
  })
  .openapi("SendAgentMessageRequest");
export type SendMessageInput = z.infer<typeof SendMessageBody>;

export const MessageListQuery = PageQuery.extend({
  box: z.enum(["all", "sent", "received"]).default("all").openapi({ description: "Messages the agent sent, received, or both" }),
});

export const AgentMessageSchema = z
  .object({
    id: z.number().int(),
    threadId: z.number().int().nullable().openapi({ description: "The thread's first message (null: this is one)" }),
    fromAgentId: z.number().int(),
    toAgentId: z.number().int().nullable(),
    messageType: z.string(),
    subject: z.string().nullable(),
    body: z.string(),
    sentBy: z.number().int().nullable(),
    readAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("AgentMessage");
export type AgentMessage = z.infer<typeof AgentMessageSchema>;

export const RecordCheckBody = z
  .strictObject({
    checkName: singleLine(100, 1),
    result: z.enum(VALIDATION_RESULTS),
    details: z
      .record(z.string(), z.unknown())
      .refine((value) => JSON.stringify(value).length <= 65_536, "At most 64 KB of JSON")
      .optional(),
  })
  .openapi("RecordValidationCheckRequest");
export type RecordCheckInput = z.infer<typeof RecordCheckBody>;

export const CheckListQuery = PageQuery.extend({
  result: z.enum(VALIDATION_RESULTS).optional(),
  checkName: singleLine(100, 1).optional(),
});

export const ValidationCheckSchema = z
  .object({
    id: z.number().int(),
    agentId: z.number().int(),
    checkName: z.string(),
    result: z.enum(VALIDATION_RESULTS),
    details: z.record(z.string(), z.unknown()).nullable(),
    checkedBy: z.number().int().nullable(),
    checkedAt: z.string(),
  })
  .openapi("ValidationCheck");
export type ValidationCheck = z.infer<typeof ValidationCheckSchema>;
