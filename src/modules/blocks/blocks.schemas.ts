import { z } from "@hono/zod-openapi";
import { UserCardSchema } from "../users";

export const BlockedUserSchema = UserCardSchema.extend({
  blockedAt: z.string(),
}).openapi("BlockedUser");

export type BlockedUser = z.infer<typeof BlockedUserSchema>;

