import { IdempotencyKeyHeader } from "../../lib/idempotency";
import { IdParam, jsonBody, jsonContent, optionalJsonBody, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { AcceptRequestBody, DirectionQuery, FriendRequestListItemSchema, FriendRequestSchema, SendRequestBody } from "./requests.schemas";

const route = moduleRoutes("Friend requests");

export const send = route.authed({
  method: "post",
  path: "/api/friends/requests",
  summary: "Ask a dancer to be friends, with the \"did we dance?\" story",
  description:
    "201 with the new request; the receiver is notified. A cancelled or declined request to the same dancer is " +
    "sent again (same id). When the receiver has already asked you, this accepts their request instead: 200 with " +
    "their request, accepted, and the friendship (your story fills in what theirs left empty; your media become " +
    "acceptance media). 400 for yourself; 404 for an unknown, inactive or blocked (either way) dancer; 409 " +
    "`already_friends`, `request_pending`, or `request_rejected_recently` with `retryAt` (30 days after the refusal). " +
    "With an `Idempotency-Key`, a repeat within 24 hours answers the first response, 201 or 200 " +
    "(`Idempotent-Replayed: true`), not 409; the same key with another body is a 422 `idempotency_key_reused`.",
  request: { headers: IdempotencyKeyHeader, body: jsonBody(SendRequestBody) },
  responses: {
    201: jsonContent(FriendRequestSchema, "The request, pending"),
    200: jsonContent(FriendRequestSchema, "Their request to you, accepted by this one"),
    ...problems(400, 404, 409, 422),
  },
});

export const list = route.authed({
  method: "get",
  path: "/api/friends/requests",
  summary: "Your pending friend requests, incoming or outgoing, newest first",
  request: { query: PageQuery.extend(DirectionQuery.shape) },
  responses: { 200: jsonContent(pageSchema(FriendRequestListItemSchema), "A page of pending requests"), ...problems(400) },
});

const answered = { 200: jsonContent(FriendRequestSchema, "The request, answered"), ...problems(400, 404, 409) };
const onlyBy = (who: string) =>
  `Only the request's ${who} may; anyone else gets 404, and a request no longer pending is 409 \`request_not_pending\`.`;

export const accept = route.authed({
  method: "post",
  path: "/api/friends/requests/{id}/accept",
  object: "friend_request",
  summary: "Accept a friend request",
  description:
    `${onlyBy("receiver")} Optional body \`{media?}\`. Writes both friendship rows (closeness 80 if ` +
    "you danced, else 75), the acceptance media and the sender's notification at once.",
  request: { params: IdParam, body: optionalJsonBody(AcceptRequestBody) },
  responses: answered,
});

export const reject = route.authed({
  method: "post",
  path: "/api/friends/requests/{id}/reject",
  object: "friend_request",
  summary: "Decline a friend request",
  description: `${onlyBy("receiver")} Its sender may ask again 30 days later.`,
  request: { params: IdParam },
  responses: answered,
});

export const cancel = route.authed({
  method: "post",
  path: "/api/friends/requests/{id}/cancel",
  object: "friend_request",
  summary: "Withdraw a friend request you sent",
  description: onlyBy("sender"),
  request: { params: IdParam },
  responses: answered,
});
