import { IdempotencyKeyHeader } from "../../lib/idempotency";
import { IdParam, jsonBody, jsonContent, optionalJsonBody, problems } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { AUTO_HIDE_THRESHOLD, MODERATOR_LEVEL } from "./moderation.policy";
import {
  DecisionSchema,
  DismissBody,
  QueueItemDetailSchema,
  QueueItemSchema,
  QueueQuery,
  ReportBody,
  ReportSchema,
  ResolveBody,
} from "./moderation.schemas";

const route = moduleRoutes("Moderation");

const reporting =
  "One report per reporter and target: a second is 409 `already_reported`. Reporting yourself or your " +
  "own content is 400 `cannot_report_self`. The report joins the target's open queue item; after " +
  `${AUTO_HIDE_THRESHOLD} distinct reporters, content is hidden from everyone but its author pending review ` +
  "(a reported user is never suspended automatically). The reporter sees nothing of the queue. With an " +
  "`Idempotency-Key`, a repeat within 24 hours answers the first 201 (`Idempotent-Replayed: true`), not 409; the " +
  "same key with another body or on another target is a 422 `idempotency_key_reused`.";

export const reportPost = route.authed({
  method: "post",
  path: "/api/posts/{id}/report",
  object: "post",
  summary: "Report a post",
  description: `A post the caller may not see is 404. ${reporting}`,
  request: { headers: IdempotencyKeyHeader, params: IdParam, body: jsonBody(ReportBody) },
  responses: { 201: jsonContent(ReportSchema, "Reported"), ...problems(400, 404, 409, 415, 422) },
});

export const reportComment = route.authed({
  method: "post",
  path: "/api/comments/{id}/report",
  object: "comment",
  summary: "Report a comment",
  description:
    "A comment the caller may not see (its post is not visible to them, it is hidden, or its author is " +
    `blocked either way or suspended) is 404. ${reporting}`,
  request: { headers: IdempotencyKeyHeader, params: IdParam, body: jsonBody(ReportBody) },
  responses: { 201: jsonContent(ReportSchema, "Reported"), ...problems(400, 404, 409, 415, 422) },
});

export const reportUser = route.authed({
  method: "post",
  path: "/api/users/{id}/report",
  object: "user",
  summary: "Report a user",
  description: `An unknown, suspended or deactivated account, or a block either way, is 404. ${reporting}`,
  request: { headers: IdempotencyKeyHeader, params: IdParam, body: jsonBody(ReportBody) },
  responses: { 201: jsonContent(ReportSchema, "Reported"), ...problems(400, 404, 409, 415, 422) },
});

export const reportGroup = route.authed({
  method: "post",
  path: "/api/groups/{id}/report",
  object: "group",
  summary: "Report a group",
  description:
    "A group the caller may not see is 404. Reporting a group you created is 400 `cannot_report_self`. Once hidden " +
    `(by enough reporters, or a moderator), only its admins see it, until a moderator decides. ${reporting}`,
  request: { headers: IdempotencyKeyHeader, params: IdParam, body: jsonBody(ReportBody) },
  responses: { 201: jsonContent(ReportSchema, "Reported"), ...problems(400, 404, 409, 415, 422) },
});

export const reportEvent = route.authed({
  method: "post",
  path: "/api/events/{id}/report",
  object: "event",
  summary: "Report an event",
  description: `An event the caller may not see (a draft, hidden, its organizer blocked either way or suspended) is 404. ${reporting}`,
  request: { headers: IdempotencyKeyHeader, params: IdParam, body: jsonBody(ReportBody) },
  responses: { 201: jsonContent(ReportSchema, "Reported"), ...problems(400, 404, 409, 415, 422) },
});

const moderators = `Moderators only (role level ${MODERATOR_LEVEL} and up).`;

export const listQueue = route.authed({
  method: "get",
  path: "/api/moderation/queue",
  minLevel: MODERATOR_LEVEL,
  summary: "The moderation queue, oldest first",
  description:
    `${moderators} \`status=open\` (the default) lists pending and claimed items; or one status. Oldest ` +
    "first, so the longest-waiting report is worked first. Each item shows its target as it is now " +
    "(content, author card, hidden, gone), the number of distinct reporters and the reports per reason.",
  request: { query: QueueQuery },
  responses: { 200: jsonContent(pageSchema(QueueItemSchema), "A page of queue items"), ...problems(400) },
});

export const getQueueItem = route.authed({
  method: "get",
  path: "/api/moderation/queue/{id}",
  minLevel: MODERATOR_LEVEL,
  object: "moderation_item",
  summary: "One queue item with its reports and actions",
  description: `${moderators} The first 100 reports and actions, oldest first (\`reportCount\` has the total).`,
  request: { params: IdParam },
  responses: { 200: jsonContent(QueueItemDetailSchema, "The queue item"), ...problems(400, 404) },
});

export const claim = route.authed({
  method: "post",
  path: "/api/moderation/queue/{id}/claim",
  minLevel: MODERATOR_LEVEL,
  object: "moderation_item",
  summary: "Claim a queue item",
  description:
    `${moderators} Marks the item as yours so no one else decides it: 409 \`claimed_by_other\` when ` +
    "another moderator holds it, 409 `queue_item_closed` once decided. Claiming it again is a no-op.",
  request: { params: IdParam },
  responses: { 200: jsonContent(QueueItemSchema, "The claimed item"), ...problems(400, 404, 409) },
});

export const resolve = route.authed({
  method: "post",
  path: "/api/moderation/queue/{id}/resolve",
  minLevel: MODERATOR_LEVEL,
  object: "moderation_item",
  summary: "Resolve a queue item with an action",
  description:
    `${moderators} A pending item, or one you claimed. \`hide\`, \`unhide\` and \`remove\` apply to posts, ` +
    "comments, events and groups (removing a comment removes its replies; the content is kept in the action's snapshot); " +
    "`suspend` suspends the reported user, the content's author or the event's organizer (403 `user_outranks_you` when their role " +
    "is at or above yours); `none` closes the item as it is. An action that does not fit the target is 400 " +
    "`action_not_applicable`. Of two decisions racing, one wins; the other is 409 `queue_item_closed`.",
  request: { params: IdParam, body: jsonBody(ResolveBody) },
  responses: { 200: jsonContent(DecisionSchema, "The decision"), ...problems(400, 403, 404, 409, 415) },
});

export const dismiss = route.authed({
  method: "post",
  path: "/api/moderation/queue/{id}/dismiss",
  minLevel: MODERATOR_LEVEL,
  object: "moderation_item",
  summary: "Dismiss a queue item",
  description:
    `${moderators} The reports needed no action: content hidden by them is shown again. A pending item, or ` +
    "one you claimed; 409 `queue_item_closed` once decided.",
  request: { params: IdParam, body: optionalJsonBody(DismissBody) },
  responses: { 200: jsonContent(DecisionSchema, "The decision"), ...problems(400, 404, 409, 415) },
});
