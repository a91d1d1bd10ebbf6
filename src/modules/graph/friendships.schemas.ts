import { z } from "@hono/zod-openapi";
import { FRIENDSHIP_ACTIVITY_TYPES } from "../../../drizzle/friendships";
import { PageQuery } from "../../lib/pagination";
import { INT4_MAX, PositiveIntId, singleLine, multiLine } from "../../lib/text";
import { MediaUrl } from "../media";
import { UserCardSchema } from "../users";

/** `{userId}`: the other dancer, a positive int4 id in canonical digits. */
export const UserIdParam = z.object({
  userId: PositiveIntId.openapi({ param: { name: "userId", in: "path" }, example: "42" }),
});

export const FRIEND_SORTS = ["closeness", "recent", "name"] as const;
export type FriendSort = (typeof FRIEND_SORTS)[number];

export const FriendsQuery = PageQuery.extend({
  sort: z.enum(FRIEND_SORTS).default("closeness").openapi({
    description: "closeness (highest first, the default), recent (newest friendship first) or name (A to Z)",
  }),
});

export const TIERS = ["acquaintance", "friend", "close_friend", "best_friend"] as const;
export type Tier = (typeof TIERS)[number];

/** The tier of a closeness score: 0-40 acquaintance, 41-70 friend, 71-85 close friend, 86-100 best friend. */
export function tierOf(score: number): Tier {
  if (score <= 40) return "acquaintance";
  if (score <= 70) return "friend";
  if (score <= 85) return "close_friend";
  return "best_friend";
}

export const FriendSchema = UserCardSchema.extend({
  closenessScore: z.number().int().openapi({ description: "0-100, private to the pair" }),
  tier: z.enum(TIERS),
  since: z.string(),
  lastInteractionAt: z.string().nullable(),
}).openapi("Friend");
export type Friend = z.infer<typeof FriendSchema>;

export const MutualFriendsSchema = z
  .object({
    count: z.number().int(),
    items: z.array(UserCardSchema),
    nextCursor: z.string().nullable(),
  })
  .openapi("MutualFriends");

export const SuggestionSchema = UserCardSchema.extend({
  mutualCount: z.number().int().openapi({ description: "Friends in common (0 for a dancer suggested from your city)" }),
}).openapi("FriendSuggestion");
export type Suggestion = z.infer<typeof SuggestionSchema>;

export const DegreeSchema = z
  .object({ degree: z.union([z.literal(1), z.literal(2), z.literal(3)]).nullable() })
  .openapi("FriendshipDegree");

export const MemoryBody = z
  .strictObject({
    url: MediaUrl,
    type: z.enum(["image", "video"]),
    caption: singleLine(500).nullable().optional(),
  })
  .openapi("NewFriendshipMemory");

export const MemorySchema = z
  .object({
    id: z.number().int(),
    url: z.string(),
    type: z.string(),
    caption: z.string().nullable(),
    uploaderId: z.number().int(),
    createdAt: z.string(),
  })
  .openapi("FriendshipMemory");
export type Memory = z.infer<typeof MemorySchema>;

export const DanceBody = z
  .strictObject({
    eventId: z.number().int().min(1).max(INT4_MAX).optional(),
    note: multiLine(1000).optional(),
  })
  .openapi("NewDanceTogether");

export const ActivitySchema = z
  .object({
    id: z.number().int(),
    type: z.enum(FRIENDSHIP_ACTIVITY_TYPES),
    userId: z.number().int().openapi({ description: "Whose side of the friendship it was recorded on: who acted" }),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    createdAt: z.string(),
  })
  .openapi("FriendshipActivity");
export type Activity = z.infer<typeof ActivitySchema>;

/** Cursors of the lists sorted by something other than time. */
const Id = z.number().int().min(1).max(INT4_MAX);
export const ScoreCursor = z.tuple([z.number().int().min(-1000).max(1000), Id]);
export const NameCursor = z.tuple([z.string().max(400), Id]);
export const SuggestionCursor = z.tuple([z.number().int().min(0).max(INT4_MAX), z.number().int().min(0).max(1e9), Id]);
