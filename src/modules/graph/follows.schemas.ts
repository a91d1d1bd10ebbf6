import { z } from "@hono/zod-openapi";
import { UserCardSchema } from "../users";

/** What following and unfollowing answer: the state now, the same on a repeat. */
export const FollowStateSchema = z
  .object({ following: z.boolean().openapi({ description: "Whether the caller now follows the user" }) })
  .openapi("FollowState");

export type FollowState = z.infer<typeof FollowStateSchema>;

/** A dancer in a followers or following list. */
export const FollowCardSchema = UserCardSchema.extend({
  isFollowing: z.boolean().openapi({ description: "Whether the viewer follows this dancer (false when anonymous)" }),
  since: z.string().openapi({ description: "When this follow began (the list's order, newest first)" }),
}).openapi("FollowCard");

export type FollowCard = z.infer<typeof FollowCardSchema>;
