import { IdParam, jsonContent, optionalJsonBody, problems } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import {
  AcceptedSchema,
  GenerateBody,
  GeneratedSchema,
  RECOMMENDATION_LIMITS,
  RecommendationSchema,
  RecommendationsQuery,
} from "./recommendations.schemas";

const route = moduleRoutes("Life CEO recommendations");

const owner = "The caller's own only: another dancer's (or an unknown id) is a 404.";

export const generate = route.authed({
  method: "post",
  path: "/api/life-ceo/recommendations/generate",
  summary: "Recommend this week's next step for the caller's goals (on demand)",
  description:
    `One model call for up to ${RECOMMENDATION_LIMITS.goalsPerCall} active goals without a recommendation this week (ISO week, ` +
    "from its Monday UTC), high priority first; `goalIds` narrows it to those goals (one not the caller's: 404). 201 with the " +
    "new ones; 200 with none when every goal already has this week's (no model call, so also without a provider). One per goal " +
    "and week, however many requests and the weekly job race. Rate limited per dancer (429 `rate_limited`), within the daily " +
    "token quota (429 `ai_quota_exceeded` with `Retry-After` and `resetsAt`); 503 `ai_unavailable` without a model provider; " +
    "a provider failure or an unusable reply is 502 `ai_failed`, 503 `ai_busy`, 504 `ai_timeout` or 422 `ai_rejected`, with " +
    "nothing stored.",
  request: { body: optionalJsonBody(GenerateBody) },
  responses: {
    200: jsonContent(GeneratedSchema, "Nothing new: every goal has this week's"),
    201: jsonContent(GeneratedSchema, "The new recommendations"),
    ...problems(400, 404, 409, 422, 429, 502, 503, 504),
  },
});

export const list = route.authed({
  method: "get",
  path: "/api/life-ceo/recommendations",
  summary: "The caller's recommendations, newest first",
  description: "By cursor; `status` and `goalId` filter.",
  request: { query: RecommendationsQuery },
  responses: { 200: jsonContent(pageSchema(RecommendationSchema), "A page of recommendations"), ...problems(400) },
});

export const accept = route.authed({
  method: "post",
  path: "/api/life-ceo/recommendations/{id}/accept",
  object: "life_ceo_recommendation",
  summary: "Accept a recommendation: it becomes a task",
  description:
    "A pending one only (409 `recommendation_not_pending`). The task (title, notes = the body, the goal and its domain, last " +
    "in the goal's order) and the acceptance are one statement: racing accepts make one task, the others are 409. " + owner,
  request: { params: IdParam },
  responses: { 200: jsonContent(AcceptedSchema, "The recommendation, accepted, and its task"), ...problems(400, 404, 409) },
});

export const dismiss = route.authed({
  method: "post",
  path: "/api/life-ceo/recommendations/{id}/dismiss",
  object: "life_ceo_recommendation",
  summary: "Dismiss a recommendation",
  description: `A pending one only (409 \`recommendation_not_pending\`). ${owner}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(RecommendationSchema, "The recommendation, dismissed"), ...problems(400, 404, 409) },
});
