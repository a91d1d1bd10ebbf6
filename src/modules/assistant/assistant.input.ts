import { z } from "@hono/zod-openapi";
import { multiLine, singleLine } from "../../lib/text";

/** Bounds of what a dancer sends: a question fits in a screen, a title in a line. */
export const ASSISTANT_LIMITS = { content: 4000, title: 120 } as const;

export const CreateConversationBody = z.object({
  title: singleLine(ASSISTANT_LIMITS.title, 1).optional(),
});

export const CreateDomainConversationBody = z.object({
  domainId: z.number().int().min(1).max(2_147_483_647),
  title: singleLine(ASSISTANT_LIMITS.title, 1).optional(),
});

export const RenameConversationBody = z.object({
  title: singleLine(ASSISTANT_LIMITS.title, 1),
});

export const SendMessageBody = z.object({
  content: multiLine(ASSISTANT_LIMITS.content, 1),
});
