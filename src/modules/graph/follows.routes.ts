import { IdParam, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { FollowCardSchema, FollowStateSchema } from "./follows.schemas";

const route = moduleRoutes("Follows");

const refusals =
  "Following yourself is a 400 (`cannot_follow_self`). An unknown, suspended or deactivated account, " +
  "or a block either way, is a 404 (as the profile is), and nothing is written.";

export const follow = route.authed({
  method: "post",
  path: "/api/users/{id}/follow",
  object: "user",
  summary: "Follow a user",
  description:
    "Idempotent: 200 `{following: true}` whether or not the caller already followed. A new follow " +
    "notifies the person followed (`new_follower`; an unread one from the same follower is bumped). " +
    refusals,
  request: { params: IdParam },
  responses: { 200: jsonContent(FollowStateSchema, "The caller follows the user"), ...problems(400, 404) },
});

export const unfollow = route.authed({
  method: "delete",
  path: "/api/users/{id}/follow",
  object: "user",
  summary: "Stop following a user",
  description: "Idempotent: 200 `{following: false}` also when the caller did not follow. " + refusals,
  request: { params: IdParam },
  responses: { 200: jsonContent(FollowStateSchema, "The caller does not follow the user"), ...problems(400, 404) },
});

const listDescription =
  "Newest follow first, by cursor. Each card says whether the viewer follows that dancer. The owner's " +
  "profile visibility applies: `public` to anyone (anonymous too), `friends` to the owner's friends and " +
  "the owner, `private` to the owner only; others get 403 `profile_restricted` (the profile shows them " +
  "only a card). An unknown, suspended or deactivated owner, or a block either way, is 404. Dancers " +
  "blocked either way with the viewer, and suspended or deactivated accounts, are left out.";

export const followers = route.viewer({
  method: "get",
  path: "/api/users/{id}/followers",
  object: "user",
  summary: "Who follows a user",
  description: listDescription,
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(FollowCardSchema), "A page of followers"), ...problems(400, 403, 404) },
});

export const following = route.viewer({
  method: "get",
  path: "/api/users/{id}/following",
  object: "user",
  summary: "Whom a user follows",
  description: listDescription,
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(FollowCardSchema), "A page of followed dancers"), ...problems(400, 403, 404) },
});
