import { IdempotencyKeyHeader } from "../../lib/idempotency";
import { IdParam, jsonContent, optionalJsonBody, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { BookmarkStateSchema, SharedPostSchema, SharePostBody } from "./engagement.schemas";
import { PostSchema } from "./posts.schemas";

const route = moduleRoutes("Shares and bookmarks");

export const share = route.authed({
  method: "post",
  path: "/api/posts/{id}/share",
  object: "post",
  summary: "Share a post with your followers",
  description:
    "201 with the share and the post's card (its counters after the share). One share per dancer and post: a " +
    "repeat is 409 `already_shared`. Only a post the caller may see (404 otherwise), and only a public post " +
    "(422 `post_not_shareable` for a friends-only, private or moderated one: a share is shown to the sharer's " +
    "followers). The post's author is notified (`post_share`, coalesced per post). With an `Idempotency-Key`, " +
    "a repeat within 24 hours answers the first 201 (`Idempotent-Replayed: true`), not 409; the same key with " +
    "another body or on another post is a 422 `idempotency_key_reused`.",
  request: { headers: IdempotencyKeyHeader, params: IdParam, body: optionalJsonBody(SharePostBody) },
  responses: { 201: jsonContent(SharedPostSchema, "The share"), ...problems(400, 404, 409, 422) },
});

export const unshare = route.authed({
  method: "delete",
  path: "/api/posts/{id}/share",
  object: "post",
  summary: "Take back your share of a post",
  description:
    "Idempotent: 204 also when there was no share. 404 when the caller may not see the post and has no share of it.",
  request: { params: IdParam },
  responses: { 204: { description: "Not shared (any more)" }, ...problems(400, 404) },
});

export const bookmark = route.authed({
  method: "post",
  path: "/api/posts/{id}/bookmark",
  object: "post",
  summary: "Bookmark a post",
  description: "Idempotent: `{bookmarked: true}` whether or not it was already bookmarked. 404 for a post the caller may not see.",
  request: { params: IdParam },
  responses: { 200: jsonContent(BookmarkStateSchema, "Bookmarked"), ...problems(400, 404) },
});

export const unbookmark = route.authed({
  method: "delete",
  path: "/api/posts/{id}/bookmark",
  object: "post",
  summary: "Remove a bookmark",
  description:
    "Idempotent: `{bookmarked: false}` also when it was not bookmarked. 404 when the caller may not see the post " +
    "and has not bookmarked it.",
  request: { params: IdParam },
  responses: { 200: jsonContent(BookmarkStateSchema, "Not bookmarked"), ...problems(400, 404) },
});

export const bookmarks = route.authed({
  method: "get",
  path: "/api/bookmarks",
  summary: "Your bookmarked posts, newest bookmark first",
  description: "By cursor, as post cards. Posts you may no longer see (made private, a block, moderation) are left out.",
  request: { query: PageQuery },
  responses: { 200: jsonContent(pageSchema(PostSchema), "A page of bookmarked posts"), ...problems(400) },
});
