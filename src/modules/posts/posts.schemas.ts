import { z } from "@hono/zod-openapi";
import { POST_VISIBILITIES } from "../../../drizzle/social";
import { isoUtc } from "../../lib/time";
import { type UserCard, UserCardSchema } from "../users";

export const PostVisibilitySchema = z.enum(POST_VISIBILITIES).openapi({ description: "Who may see the post" });

/** Who may see a post as read back: also `group`, a group's post (posted only through POST /api/groups/{id}/posts). */
export const PostVisibilityShownSchema = z
  .enum([...POST_VISIBILITIES, "group"])
  .openapi({ description: "Who may see the post: `group` for a group's post, seen by the group's members only" });

/** An embedded player link (YouTube, Vimeo, Spotify or SoundCloud), normalised on the way in. */
export const MediaEmbedSchema = z
  .object({ provider: z.string(), url: z.string() })
  .openapi("MediaEmbed");

export const CoordinatesSchema = z
  .object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) })
  .openapi("Coordinates");

/** What the viewer did to the post themselves (all false for an anonymous viewer). */
export const PostViewerStateSchema = z.object({
  liked: z.boolean(),
  bookmarked: z.boolean(),
  shared: z.boolean(),
});

/**
 * A post as every read path shows it (single post, feeds, timelines, hashtag pages, search,
 * bookmarks, trending): the author's card, the content, counters and the viewer's own state.
 */
export const PostSchema = z
  .object({
    id: z.number().int(),
    author: UserCardSchema,
    content: z.string(),
    richContent: z.unknown().nullable().openapi({ description: "The editor's JSON document, as posted" }),
    imageUrl: z.string().nullable(),
    videoUrl: z.string().nullable(),
    mediaEmbeds: z.array(MediaEmbedSchema),
    mentions: z.array(z.string()).openapi({ description: "Usernames mentioned with @, as they resolved" }),
    hashtags: z.array(z.string()).openapi({ description: "Hashtags, lower-cased, without #" }),
    location: z.string().nullable(),
    coordinates: CoordinatesSchema.nullable(),
    eventId: z.number().int().nullable(),
    groupId: z.number().int().nullable().openapi({ description: "The group a group post was posted in (visibility `group`)" }),
    visibility: PostVisibilityShownSchema,
    postType: z.string(),
    likes: z.number().int(),
    comments: z.number().int(),
    shares: z.number().int(),
    edited: z.boolean().openapi({ description: "Whether the post was edited (GET /api/posts/{id}/edits)" }),
    hidden: z.boolean().openapi({ description: "Hidden by moderation pending review (only its author sees it then)" }),
    viewer: PostViewerStateSchema,
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Post");

export type Post = z.infer<typeof PostSchema>;

/** The columns {@link postCardColumns} selects, as raw SQL rows give them. */
export interface PostCardRow extends Record<string, unknown> {
  id: number;
  author_id: number;
  author_username: string;
  author_name: string;
  author_profile_image: string | null;
  content: string;
  rich_content: unknown;
  image_url: string | null;
  video_url: string | null;
  media_embeds: unknown;
  mentions: string[] | null;
  hashtags: string[] | null;
  location: string | null;
  coordinates: unknown;
  event_id: number | null;
  group_id: number | null;
  visibility: string | null;
  post_type: string | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  edited: boolean;
  hidden: boolean;
  viewer_liked: boolean;
  viewer_bookmarked: boolean;
  viewer_shared: boolean;
  created_at: string;
  updated_at: string;
}

const VISIBILITIES: readonly string[] = PostVisibilityShownSchema.options;

function embeds(value: unknown): Post["mediaEmbeds"] {
  const parsed = z.array(MediaEmbedSchema).safeParse(value);
  return parsed.success ? parsed.data : [];
}

function coordinates(value: unknown): Post["coordinates"] {
  const parsed = CoordinatesSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The author's card from the `author_*` columns a card's select list names them by. */
export function authorCard(row: {
  author_id: number;
  author_username: string;
  author_name: string;
  author_profile_image: string | null;
}): UserCard {
  return { id: Number(row.author_id), username: row.author_username, name: row.author_name, profileImage: row.author_profile_image };
}

/** Shapes a row selected with {@link postCardColumns} (rows written before validation existed shape safely too). */
export function toPost(row: PostCardRow): Post {
  const visibility = row.visibility ?? "public";
  return {
    id: Number(row.id),
    author: authorCard(row),
    content: row.content,
    richContent: row.rich_content ?? null,
    imageUrl: row.image_url,
    videoUrl: row.video_url,
    mediaEmbeds: embeds(row.media_embeds),
    mentions: row.mentions ?? [],
    hashtags: row.hashtags ?? [],
    location: row.location,
    coordinates: coordinates(row.coordinates),
    eventId: row.event_id === null ? null : Number(row.event_id),
    groupId: row.group_id == null ? null : Number(row.group_id),
    visibility: (VISIBILITIES.includes(visibility) ? visibility : "private") as Post["visibility"],
    postType: row.post_type ?? "post",
    likes: Number(row.likes ?? 0),
    comments: Number(row.comments ?? 0),
    shares: Number(row.shares ?? 0),
    edited: row.edited,
    hidden: row.hidden,
    viewer: { liked: row.viewer_liked, bookmarked: row.viewer_bookmarked, shared: row.viewer_shared },
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
  };
}

/** A dancer's like on a post after a like or unlike: whether they like it now, and its count. */
export const LikeStateSchema = z
  .object({ liked: z.boolean(), likes: z.number().int() })
  .openapi("LikeState");

export type LikeState = z.infer<typeof LikeStateSchema>;

/** One edit of a post: what it was before, who edited it and when. */
export const PostEditSchema = z
  .object({
    id: z.number().int(),
    editor: UserCardSchema.nullable().openapi({ description: "Null once the editor's account is gone" }),
    previousContent: z.string(),
    previous: z
      .record(z.string(), z.unknown())
      .openapi({ description: "The other fields the edit changed, as they were (richContent, imageUrl, visibility...)" }),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("PostEdit");

export type PostEdit = z.infer<typeof PostEditSchema>;
