import { z } from "@hono/zod-openapi";
import { INT4_MAX } from "../../lib/text";
import { PostSchema } from "./posts.schemas";

/** A post in the trending feed: the post card and its viral score. */
export const TrendingPostSchema = PostSchema.extend({
  viral: z
    .object({
      score: z.number().openapi({ description: "0-1, recomputed every 10 minutes for posts of the last 48 hours" }),
      isViral: z.boolean().openapi({ description: "Score above 0.7" }),
    })
    .openapi({ description: "The viral-analytics score (README: the viral job's formula)" }),
}).openapi("TrendingPost");

export type TrendingPost = z.infer<typeof TrendingPostSchema>;

/** The trending feed's keyset: the viral score and the post id that breaks ties. */
export const TrendingPostCursor = z.tuple([z.number().min(0).max(1), z.number().int().min(1).max(INT4_MAX)]);
