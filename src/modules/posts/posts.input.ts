import { z } from "@hono/zod-openapi";
import { HttpUrl, INT4_MAX, multiLine, singleLine } from "../../lib/text";
import { CoordinatesSchema, PostVisibilitySchema } from "./posts.schemas";
import { MAX_HASHTAGS, MAX_MENTIONS, extractHashtags, extractMentions, normaliseEmbeds } from "./posts.text";

/** The request bodies of the posts routes (create, edit) and their limits. */
export const POST_LIMITS = {
  content: 5000,
  location: 200,
  embeds: 10,
  /** The editor's JSON document, serialised (UTF-8 bytes). */
  richContentBytes: 64 * 1024,
  richContentDepth: 32,
} as const;

/** How deep a JSON value nests (a scalar is 0, `{}` is 1). */
function depthOf(value: unknown, limit: number, depth = 0): number {
  if (depth > limit || value === null || typeof value !== "object") return depth;
  let deepest = depth + 1;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child, limit, depth + 1));
  return deepest;
}

const RichContent = z
  .record(z.string(), z.unknown())
  .superRefine((doc, ctx) => {
    const text = JSON.stringify(doc);
    if (new TextEncoder().encode(text).length > POST_LIMITS.richContentBytes) {
      ctx.addIssue({ code: "custom", message: `At most ${POST_LIMITS.richContentBytes / 1024} KB of JSON` });
    } else if (depthOf(doc, POST_LIMITS.richContentDepth) > POST_LIMITS.richContentDepth) {
      ctx.addIssue({ code: "custom", message: `Nested at most ${POST_LIMITS.richContentDepth} levels deep` });
    } else if (text.includes("\\u0000")) {
      // jsonb refuses NUL in strings.
      ctx.addIssue({ code: "custom", message: "No NUL characters" });
    }
  })
  .openapi({ type: "object", description: `The editor's JSON document (at most ${POST_LIMITS.richContentBytes / 1024} KB)` });

const Content = multiLine(POST_LIMITS.content, 1)
  .superRefine((content, ctx) => {
    if (extractHashtags(content).length > MAX_HASHTAGS) ctx.addIssue({ code: "custom", message: `At most ${MAX_HASHTAGS} hashtags` });
    if (extractMentions(content).length > MAX_MENTIONS) ctx.addIssue({ code: "custom", message: `At most ${MAX_MENTIONS} mentions` });
  })
  .openapi({ description: "The post's text (1-5000 characters); #hashtags and @mentions are read from it" });

const MediaEmbeds = z
  .array(HttpUrl)
  .max(POST_LIMITS.embeds)
  .transform((urls, ctx) => {
    const { embeds, refused } = normaliseEmbeds(urls);
    for (const index of refused) {
      ctx.addIssue({ code: "custom", path: [index], message: "A YouTube, Vimeo, Spotify or SoundCloud link" });
    }
    return embeds;
  })
  .openapi({ description: "Up to 10 YouTube, Vimeo, Spotify or SoundCloud links, stored in canonical form" });

const OwnMediaUrl = HttpUrl.openapi({ description: "A file stored by this service (POST /api/media)" });

/** The optional fields, alike in both bodies (`null`: none). */
const OptionalFields = z
  .object({
    richContent: RichContent.nullable(),
    imageUrl: OwnMediaUrl.nullable(),
    videoUrl: OwnMediaUrl.nullable(),
    mediaEmbeds: MediaEmbeds,
    location: singleLine(POST_LIMITS.location).nullable(),
    coordinates: CoordinatesSchema.nullable(),
    eventId: z.number().int().min(1).max(INT4_MAX).nullable().openapi({ description: "An event the post is about" }),
  })
  .partial();

export const CreatePostBody = OptionalFields.extend({
  content: Content,
  visibility: PostVisibilitySchema.default("public"),
}).openapi("CreatePost");

export type CreatePostInput = z.infer<typeof CreatePostBody>;

/** A group's post: the create fields but `visibility`, which is the group's (`group`). */
export const CreateGroupPostBody = OptionalFields.extend({ content: Content }).openapi("CreateGroupPost");

export type CreateGroupPostInput = z.infer<typeof CreateGroupPostBody>;

/** Any subset of the create fields; `null` clears an optional one; none at all changes nothing. */
export const UpdatePostBody = OptionalFields.extend({
  content: Content.optional(),
  visibility: PostVisibilitySchema.optional(),
}).openapi("UpdatePost");

export type UpdatePostInput = z.infer<typeof UpdatePostBody>;
