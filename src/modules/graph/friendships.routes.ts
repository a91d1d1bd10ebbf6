import { IdempotencyKeyHeader } from "../../lib/idempotency";
import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { UserCardSchema } from "../users";
import {
  ActivitySchema,
  DanceBody,
  DegreeSchema,
  FriendSchema,
  FriendsQuery,
  MemoryBody,
  MemorySchema,
  MutualFriendsSchema,
  SuggestionSchema,
  UserIdParam,
} from "./friendships.schemas";

const route = moduleRoutes("Friendships");

export const listFriends = route.authed({
  method: "get",
  path: "/api/friends",
  summary: "The caller's friends, with closeness and tier",
  description:
    "Tiers: 0-40 acquaintance, 41-70 friend, 71-85 close_friend, 86-100 best_friend. `sort=closeness` (default, " +
    "highest first), `recent` (newest friendship first) or `name` (A to Z); the cursor belongs to its sort.",
  request: { query: FriendsQuery },
  responses: { 200: jsonContent(pageSchema(FriendSchema), "A page of friends"), ...problems(400) },
});

export const listUserFriends = route.viewer({
  method: "get",
  path: "/api/users/{id}/friends",
  object: "user",
  summary: "A dancer's friends, as cards, newest friendship first",
  description:
    "Honours the dancer's profile visibility (403 `profile_restricted` when it leaves the viewer out); 404 for an " +
    "unknown, suspended or deactivated dancer, or a block either way. Scores are private to each pair and never shown.",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(UserCardSchema), "A page of friends"), ...problems(400, 403, 404) },
});

export const unfriend = route.authed({
  method: "delete",
  path: "/api/friends/{userId}",
  object: "user",
  summary: "Unfriend a dancer",
  description: "Removes both rows of the friendship (and its activities and memories). Idempotent: 204 also when not friends.",
  request: { params: UserIdParam },
  responses: { 204: { description: "Not friends (any more)" }, ...problems(400) },
});

export const mutualFriends = route.authed({
  method: "get",
  path: "/api/friends/mutual/{userId}",
  object: "user",
  summary: "Friends the caller and a dancer have in common, A to Z, with their count",
  request: { params: UserIdParam, query: PageQuery },
  responses: { 200: jsonContent(MutualFriendsSchema, "Mutual friends"), ...problems(400, 404) },
});

export const suggestions = route.authed({
  method: "get",
  path: "/api/friends/suggestions",
  summary: "Dancers the caller may know",
  description:
    "Friends of friends ranked by friends in common, then by the closeness of those friendships; without friends " +
    "yet, dancers of the caller's city. Never the caller, their friends, pending requests, blocks or inactive accounts.",
  request: { query: PageQuery },
  responses: { 200: jsonContent(pageSchema(SuggestionSchema), "A page of suggestions"), ...problems(400) },
});

export const degree = route.authed({
  method: "get",
  path: "/api/friends/degree/{userId}",
  object: "user",
  summary: "How many steps apart the caller and a dancer are: 1, 2, 3 or null",
  request: { params: UserIdParam },
  responses: { 200: jsonContent(DegreeSchema, "The degree"), ...problems(400, 404) },
});

const idempotency =
  "With an `Idempotency-Key`, a repeat within 24 hours answers the first response (`Idempotent-Replayed: true`) " +
  "and records nothing more; the same key with another body or for another friend is a 422 `idempotency_key_reused`.";

export const addMemory = route.authed({
  method: "post",
  path: "/api/friends/{userId}/memories",
  object: "user",
  summary: "Share a memory (photo or video) of a friendship",
  description: `Logged on the pair's timeline as \`memory_shared\`. 404 when the two are not friends. ${idempotency}`,
  request: { headers: IdempotencyKeyHeader, params: UserIdParam, body: jsonBody(MemoryBody) },
  responses: { 201: jsonContent(MemorySchema, "The memory"), ...problems(400, 404, 422) },
});

export const listMemories = route.authed({
  method: "get",
  path: "/api/friends/{userId}/memories",
  object: "user",
  summary: "The memories both friends shared, newest first",
  request: { params: UserIdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(MemorySchema), "A page of memories"), ...problems(400, 404) },
});

export const recordDance = route.authed({
  method: "post",
  path: "/api/friends/{userId}/dances",
  object: "user",
  summary: "Record that the caller danced with a friend",
  description: `A \`dance_together\` activity, optionally at an event and with a note. 404 when not friends or no such event. ${idempotency}`,
  request: { headers: IdempotencyKeyHeader, params: UserIdParam, body: jsonBody(DanceBody) },
  responses: { 201: jsonContent(ActivitySchema, "The activity"), ...problems(400, 404, 422) },
});

export const listActivities = route.authed({
  method: "get",
  path: "/api/friends/{userId}/activities",
  object: "user",
  summary: "The pair's timeline, newest first",
  request: { params: UserIdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(ActivitySchema), "A page of activities"), ...problems(400, 404) },
});
