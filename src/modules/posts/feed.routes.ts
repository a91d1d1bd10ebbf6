import { IdParam, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { FeedItemSchema } from "./feed.schemas";

const route = moduleRoutes("Feed");

const items =
  "Each item is a post as posted (`type: \"post\"`) or as someone shared it (`type: \"share\"`, with the " +
  "sharer's card and comment), ordered by the item's time (the post's or the share's), newest first, by " +
  "cursor. A post posted and shared, or shared by several, appears once for each. Only posts the viewer " +
  "may see appear (visibility, blocks either way, suspended or deactivated authors, posts hidden by " +
  "moderation), and only shares by usable dancers not blocked either way with the viewer.";

export const feed = route.authed({
  method: "get",
  path: "/api/feed",
  summary: "The home feed",
  description:
    "The caller's own posts, the posts of the dancers they follow and of their friends, and the shares " +
    "by all of these (their own too). " + items,
  request: { query: PageQuery },
  responses: { 200: jsonContent(pageSchema(FeedItemSchema), "A page of the feed"), ...problems(400) },
});

export const timeline = route.viewer({
  method: "get",
  path: "/api/users/{id}/posts",
  object: "user",
  summary: "A dancer's posts and shares",
  description:
    "The dancer's own posts and their shares. " + items + " Anonymous callers see public posts only. " +
    "The dancer's profile visibility applies: `public` to anyone, `friends` to their friends and themselves, " +
    "`private` to themselves only; others get 403 `profile_restricted`. An unknown, suspended or " +
    "deactivated dancer, or a block either way, is 404.",
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(FeedItemSchema), "A page of the dancer's items"), ...problems(400, 403, 404) },
});
