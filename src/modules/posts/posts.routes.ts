import { IdempotencyKeyHeader } from "../../lib/idempotency";
import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { CreatePostBody, UpdatePostBody } from "./posts.input";
import { LikeStateSchema, PostEditSchema, PostSchema } from "./posts.schemas";

const route = moduleRoutes("Posts");

const notVisible = "A post the caller may not see (private, friends-only, hidden, blocked either way, its author suspended) is a 404, as if it did not exist.";

export const create = route.authed({
  method: "post",
  path: "/api/posts",
  summary: "Create a post",
  description:
    "Mentions (`@username`, resolved case-insensitively to usable accounts not blocked either way) and hashtags " +
    "(`#Milonga` -> `milonga`) are read from `content`; the dancers mentioned are notified (`mention`). " +
    "`imageUrl` and `videoUrl` must be files of this service (`POST /api/media`); `mediaEmbeds` take YouTube, " +
    "Vimeo, Spotify and SoundCloud links, stored in canonical form. An `eventId` naming no event is a 400 " +
    "`unknown_event`. With an `Idempotency-Key`, a repeat within 24 hours answers the first response " +
    "(`Idempotent-Replayed: true`) and creates nothing; the same key with another body is a 422 `idempotency_key_reused`.",
  request: { headers: IdempotencyKeyHeader, body: jsonBody(CreatePostBody) },
  responses: { 201: jsonContent(PostSchema, "The post"), ...problems(400, 422) },
});

export const get = route.viewer({
  method: "get",
  path: "/api/posts/{id}",
  object: "post",
  summary: "A post",
  description: notVisible,
  request: { params: IdParam },
  responses: { 200: jsonContent(PostSchema, "The post"), ...problems(400, 404) },
});

export const update = route.authed({
  method: "patch",
  path: "/api/posts/{id}",
  object: "post",
  summary: "Edit a post (its author)",
  description:
    "Any subset of the create fields; `null` clears an optional one; an empty body changes nothing. Every edit is kept in the post's history " +
    "(`GET /api/posts/{id}/edits`). A content change re-reads hashtags and mentions, and notifies only the dancers " +
    `newly mentioned. Another dancer's post is a 403 \`not_post_owner\`. ${notVisible}`,
  request: { params: IdParam, body: jsonBody(UpdatePostBody) },
  responses: { 200: jsonContent(PostSchema, "The post as edited"), ...problems(400, 403, 404) },
});

export const remove = route.authed({
  method: "delete",
  path: "/api/posts/{id}",
  object: "post",
  summary: "Delete a post (its author or a moderator)",
  description:
    "Its likes, comments, shares, bookmarks and history go with it. Moderators (role level 5 and up) may delete " +
    `any post they can see; others' posts are a 403 \`not_post_owner\`. ${notVisible}`,
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...problems(400, 403, 404) },
});

export const edits = route.viewer({
  method: "get",
  path: "/api/posts/{id}/edits",
  object: "post",
  summary: "A post's edit history, newest first",
  description: `Whoever may see the post may see how it changed: each edit's previous content and other changed fields. ${notVisible}`,
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(PostEditSchema), "A page of edits"), ...problems(400, 404) },
});

const likeNotes =
  "Idempotent, one like per dancer; `likes` is the post's exact count after it. A new like notifies the author " +
  `(\`post_like\`, one unread notification per post: "Ana and 12 others liked your post"). ${notVisible}`;

export const like = route.authed({
  method: "post",
  path: "/api/posts/{id}/like",
  object: "post",
  summary: "Like a post",
  description: likeNotes,
  request: { params: IdParam },
  responses: { 200: jsonContent(LikeStateSchema, "The caller likes the post"), ...problems(400, 404) },
});

export const unlike = route.authed({
  method: "delete",
  path: "/api/posts/{id}/like",
  object: "post",
  summary: "Take back a like",
  description: `Idempotent: also when the caller did not like the post. ${notVisible}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(LikeStateSchema, "The caller does not like the post"), ...problems(400, 404) },
});
