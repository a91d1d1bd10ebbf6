import { z } from "@hono/zod-openapi";

/** A hashtag's characters once `#` is stripped (the rule posts are tagged by): letters, digits, `_`, at least one letter. */
const HASHTAG = /^[\p{L}\p{N}_]{1,64}$/u;
const LETTER = /\p{L}/u;

/**
 * A hashtag as stored (post_hashtags.tag, posts.hashtags): a leading `#` stripped, NFC,
 * lower-cased, so `#Milonga`, `milonga` and `MILONGA` all name `milonga`. Null when the value
 * is not a hashtag at all (empty, punctuation, digits only, over 64 characters).
 *
 * @example
 * normaliseHashtag("#Milonga"); // "milonga"
 * normaliseHashtag("#2026");    // null
 */
export function normaliseHashtag(value: string): string | null {
  const tag = value.replace(/^#/, "").normalize("NFC");
  if (!HASHTAG.test(tag) || !LETTER.test(tag)) return null;
  return tag.toLowerCase();
}

export const TagParam = z.object({
  tag: z
    .string()
    .max(256)
    .transform((value, ctx) => {
      const tag = normaliseHashtag(value);
      if (tag === null) {
        ctx.addIssue({ code: "custom", message: "A hashtag: letters, digits and _ (1-64, at least one letter), with or without #" });
        return z.NEVER;
      }
      return tag;
    })
    .openapi({ param: { name: "tag", in: "path" }, example: "milonga", type: "string" }),
});

/** A trending hashtag: how many of the window's public posts carry it, their engagement, and its score. */
export const TrendingHashtagSchema = z
  .object({
    tag: z.string().openapi({ description: "Lower-cased, without #", example: "milonga" }),
    posts: z.number().int().openapi({ description: "Public posts of the last 48 hours carrying it" }),
    engagement: z.number().int().openapi({ description: "Their likes, comments and shares" }),
    score: z.number().openapi({ description: "The trending order (see GET /api/hashtags/trending)" }),
  })
  .openapi("TrendingHashtag");

export type TrendingHashtag = z.infer<typeof TrendingHashtagSchema>;

/** The trending list's keyset: the score and the tag that breaks ties. */
export const TrendingHashtagCursor = z.tuple([z.number().finite(), z.string().min(1).max(256)]);
