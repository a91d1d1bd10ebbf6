import { jsonBody, jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { ANALYTICS_LIMITS, AcceptedSchema, ClientEventBatch, StatsQuery, StatsSchema } from "./analytics.schemas";
import { MAX_STATS_DAYS } from "./analytics.policy";

const route = moduleRoutes("Analytics");
const admin = moduleRoutes("Admin");

/** The events route's path, for its own body cap (see index.ts). */
export const EVENTS_PATH = "/api/analytics/events";

export const record = route.viewer({
  method: "post",
  path: EVENTS_PATH,
  summary: "Send a batch of client analytics events",
  description:
    `1 to ${ANALYTICS_LIMITS.eventsPerBatch} events, each a name (a-z, 0-9, \`_\`, \`.\`; at most 64), an optional flat ` +
    `object of at most ${ANALYTICS_LIMITS.properties} properties and the time it happened (at most 7 days ago, 5 minutes ` +
    `ahead: else 400 \`event_time_out_of_range\` naming each event's index). The body is capped at ` +
    `${ANALYTICS_LIMITS.bodyBytes / 1024} KiB (413). Signed in or anonymous: a signed-in dancer's events carry their id, ` +
    "an anonymous caller's none. 60 batches a minute per dancer, or per client network when anonymous (429 with " +
    "Retry-After). The batch is stored whole or not at all.",
  request: { body: jsonBody(ClientEventBatch) },
  responses: { 202: jsonContent(AcceptedSchema, "Stored"), ...problems(400, 413, 415, 429) },
});

export const stats = admin.authed({
  method: "get",
  path: "/api/admin/stats",
  minLevel: 5,
  summary: "The platform's daily figures",
  description:
    "One entry per day of the range (UTC days, `from` and `to` inclusive, default the last 30 days, at most " +
    `${MAX_STATS_DAYS}), for the whole platform or one city, and the totals of the range. The figures are rolled up ` +
    "every 10 minutes for today and yesterday; a day never rolled up reads zeros with `rolledUpAt` null.",
  request: { query: StatsQuery },
  responses: { 200: jsonContent(StatsSchema, "The figures"), ...problems(400) },
});
