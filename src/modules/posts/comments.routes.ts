import { IdempotencyKeyHeader } from "../../lib/idempotency";
import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { CommentLikeStateSchema, CommentListQuery, CommentSchema, CreateCommentBody, UpdateCommentBody } from "./comments.schemas";

const route = moduleRoutes("Comments");

const seen =
  "The post must be one the caller may see (404 otherwise: private, friends-only for a non-friend, hidden, " +
  "or a block either way). Comments by blocked (either way), suspended or deactivated accounts, and comments " +
  "hidden by moderation (except the caller's own), are not there.";

export const list = route.viewer({
  method: "get",
  path: "/api/posts/{id}/comments",
  object: "post",
  summary: "A post's comments, or one comment's replies",
  description:
    "Top-level comments oldest first, by cursor, each with `replyCount` (the replies the viewer may see) and the " +
    "viewer's like; `?parentId=` pages that comment's replies instead, oldest first (404 if it is not a comment " +
    "of this post the viewer may see). Anonymous callers read the comments of public posts. " +
    seen,
  request: { params: IdParam, query: CommentListQuery },
  responses: { 200: jsonContent(pageSchema(CommentSchema), "A page of comments"), ...problems(400, 404) },
});

export const create = route.authed({
  method: "post",
  path: "/api/posts/{id}/comments",
  object: "post",
  summary: "Comment on a post, or reply to a comment",
  description:
    "201 with the comment. With `parentId`, a reply: it must name a comment of the same post the caller may see " +
    "(else 400 `invalid_parent`); a reply to a reply joins the top-level comment's thread, so `parentId` in the " +
    "answer is always a top-level comment. A comment notifies the post's author (`post_comment`), a reply the " +
    "author of the comment replied to (`comment_reply`), coalesced per subject. With an `Idempotency-Key`, a " +
    "repeat within 24 hours answers the first response (`Idempotent-Replayed: true`) and creates nothing; the " +
    "same key with another body or on another post is a 422 `idempotency_key_reused`. " +
    seen,
  request: { headers: IdempotencyKeyHeader, params: IdParam, body: jsonBody(CreateCommentBody) },
  responses: { 201: jsonContent(CommentSchema, "The new comment"), ...problems(400, 404, 422) },
});

export const update = route.authed({
  method: "patch",
  path: "/api/comments/{id}",
  object: "comment",
  summary: "Edit your comment",
  description:
    "The comment's author only (403 `not_comment_author` for anyone else who can see it, 404 for whoever cannot). " +
    "The previous content is kept in the edit history.",
  request: { params: IdParam, body: jsonBody(UpdateCommentBody) },
  responses: { 200: jsonContent(CommentSchema, "The edited comment"), ...problems(400, 403, 404) },
});

export const remove = route.authed({
  method: "delete",
  path: "/api/comments/{id}",
  object: "comment",
  summary: "Delete a comment and its replies",
  description:
    "By the comment's author, the post's author, or a moderator (role level 5 and up); 403 " +
    "`comment_delete_forbidden` for anyone else who can see it, 404 for whoever cannot. Deleting a comment " +
    "deletes its replies; the post's comment count drops by exactly what was deleted.",
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...problems(400, 403, 404) },
});

const likeRefusals = "404 when the caller may not see the comment (or its post).";

export const like = route.authed({
  method: "post",
  path: "/api/comments/{id}/like",
  object: "comment",
  summary: "Like a comment",
  description:
    "Idempotent: `{liked: true, likes}` whether or not the caller already liked it. A new like notifies the " +
    "comment's author (`comment_like`, coalesced per comment). " +
    likeRefusals,
  request: { params: IdParam },
  responses: { 200: jsonContent(CommentLikeStateSchema, "The caller likes the comment"), ...problems(400, 404) },
});

export const unlike = route.authed({
  method: "delete",
  path: "/api/comments/{id}/like",
  object: "comment",
  summary: "Take back a like of a comment",
  description: "Idempotent: `{liked: false, likes}` also when the caller had not liked it. " + likeRefusals,
  request: { params: IdParam },
  responses: { 200: jsonContent(CommentLikeStateSchema, "The caller does not like the comment"), ...problems(400, 404) },
});
