import { z } from "@hono/zod-openapi";

export const ConversationSchema = z
  .object({
    id: z.number().int(),
    title: z.string().nullable(),
    lastMessageAt: z.string(),
    createdAt: z.string(),
  })
  .openapi("AssistantConversation");

export const DomainConversationSchema = ConversationSchema.extend({
  domain: z.object({ id: z.number().int(), name: z.string(), agentId: z.string() }),
}).openapi("DomainConversation");

export const MessageSchema = z
  .object({
    id: z.number().int(),
    role: z.enum(["user", "assistant"]),
    content: z.string(),
    /** On an assistant reply: which model answered, its tokens, the tools it used; `error` on a cut reply. */
    metadata: z.record(z.string(), z.unknown()).nullable(),
    createdAt: z.string(),
  })
  .openapi("AssistantMessage");

export const UsageSchema = z
  .object({
    day: z.string(),
    tokens: z.number().int(),
    requests: z.number().int(),
    quota: z.number().int(),
    resetsAt: z.string(),
  })
  .openapi("AssistantUsage");

export type Conversation = z.infer<typeof ConversationSchema>;
export type DomainConversation = z.infer<typeof DomainConversationSchema>;
export type Message = z.infer<typeof MessageSchema>;
