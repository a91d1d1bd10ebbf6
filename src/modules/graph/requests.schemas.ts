import { z } from "@hono/zod-openapi";
import { multiLine, singleLine } from "../../lib/text";
import { MediaUrl } from "../media";
import { UserCardSchema } from "../users";

/** At most this many photos or videos with a request, and with an acceptance. */
export const MAX_REQUEST_MEDIA = 6;

export const MediaInputSchema = z
  .object({
    url: MediaUrl,
    type: z.enum(["image", "video"]),
    caption: singleLine(300).optional(),
  })
  .openapi("FriendRequestMediaInput");

export const SendRequestBody = z
  .object({
    receiverId: z.number().int().min(1).max(2_147_483_647),
    message: multiLine(1000).optional(),
    didWeDance: z.boolean().optional(),
    danceLocation: singleLine(200).optional(),
    danceEventId: z.number().int().min(1).max(2_147_483_647).optional(),
    danceStory: multiLine(2000).optional(),
    media: z.array(MediaInputSchema).max(MAX_REQUEST_MEDIA).optional(),
  })
  .openapi("SendFriendRequest");

export const AcceptRequestBody = z
  .object({ media: z.array(MediaInputSchema).max(MAX_REQUEST_MEDIA).optional() })
  .openapi("AcceptFriendRequest");

export const DirectionQuery = z.object({
  direction: z.enum(["incoming", "outgoing"]).default("incoming").openapi({ description: "incoming (default) or outgoing" }),
});

export const StorySchema = z
  .object({
    didWeDance: z.boolean(),
    danceLocation: z.string().nullable(),
    danceEventId: z.number().int().nullable(),
    danceStory: z.string().nullable(),
  })
  .openapi("DanceStory");

export const MediaSchema = z
  .object({
    id: z.number().int(),
    url: z.string(),
    type: z.string(),
    caption: z.string().nullable(),
    phase: z.enum(["request", "acceptance"]),
    uploaderId: z.number().int(),
  })
  .openapi("FriendRequestMedia");

export const FriendRequestSchema = z
  .object({
    id: z.number().int(),
    senderId: z.number().int(),
    receiverId: z.number().int(),
    status: z.enum(["pending", "accepted", "rejected", "cancelled"]),
    message: z.string().nullable(),
    createdAt: z.string(),
    respondedAt: z.string().nullable(),
    story: StorySchema,
    media: z.array(MediaSchema),
    friendship: z
      .object({ closenessScore: z.number().int(), since: z.string() })
      .nullable()
      .openapi({ description: "Set when the request was accepted by this call" }),
  })
  .openapi("FriendRequest");

export const FriendRequestListItemSchema = FriendRequestSchema.omit({ friendship: true })
  .extend({ dancer: UserCardSchema.openapi({ description: "The other dancer: the sender of an incoming request, the receiver of an outgoing one" }) })
  .openapi("FriendRequestListItem");

export type MediaInput = z.infer<typeof MediaInputSchema>;
export type SendRequestInput = z.infer<typeof SendRequestBody>;
export type FriendRequestView = z.infer<typeof FriendRequestSchema>;
export type FriendRequestListItem = z.infer<typeof FriendRequestListItemSchema>;
