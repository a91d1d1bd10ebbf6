import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { FLAG_READ_LEVEL, FLAG_WRITE_LEVEL } from "./flags.policy";
import { CreateFlagBody, EvaluatedFlagsSchema, FlagSchema, IfMatchHeader, UpdateFlagBody } from "./flags.schemas";

const route = moduleRoutes("Feature flags");
const admin = moduleRoutes("Admin");

const RULE =
  "A flag is on for a dancer when it is enabled AND they are not denied AND (they are allowed OR (their level is at least " +
  "`minLevel` AND (no `cities`, or their profile city is one of them, any case) AND their rollout bucket is under " +
  "`rolloutPercentage`)). The bucket is the first 4 bytes of SHA-256(`<key>:<userId>`) mod 10,000: stable for a dancer, " +
  "independent between flags, and raising a rollout only adds dancers.";

export const evaluate = route.viewer({
  method: "get",
  path: "/api/flags",
  summary: "The caller's feature flags, evaluated",
  description:
    `${RULE} An anonymous caller gets only the enabled 100% flags without level or city targeting. The level is the ` +
    "token's. Served from the isolate's memory (no database round trip when warm): an edit shows within " +
    "`FLAG_CACHE_SECONDS` (default 30) everywhere.",
  responses: { 200: jsonContent(EvaluatedFlagsSchema, "Every flag's key, on or off for the caller") },
});

export const list = admin.authed({
  method: "get",
  path: "/api/admin/flags",
  minLevel: FLAG_READ_LEVEL,
  summary: "The feature flags, by key (byte order)",
  request: { query: PageQuery },
  responses: { 200: jsonContent(pageSchema(FlagSchema), "A page of flags"), ...problems(400) },
});

export const create = admin.authed({
  method: "post",
  path: "/api/admin/flags",
  minLevel: FLAG_WRITE_LEVEL,
  summary: "Create a feature flag",
  description:
    `${RULE} The key is fixed once created (409 \`flag_key_taken\` when in use). Listed users must exist (400 ` +
    "`unknown_users`). Recorded in the audit log (`flag.create`) in the same statement. Answers the flag with its ETag.",
  request: { body: jsonBody(CreateFlagBody) },
  responses: { 201: jsonContent(FlagSchema, "The flag"), ...problems(400, 409, 415) },
});

export const get = admin.authed({
  method: "get",
  path: "/api/admin/flags/{id}",
  minLevel: FLAG_READ_LEVEL,
  object: "feature_flag",
  summary: "A feature flag",
  description: "With an `ETag` (its `version`), for a safe edit with `If-Match`.",
  request: { params: IdParam },
  responses: { 200: jsonContent(FlagSchema, "The flag"), ...problems(400, 404) },
});

export const update = admin.authed({
  method: "patch",
  path: "/api/admin/flags/{id}",
  minLevel: FLAG_WRITE_LEVEL,
  object: "feature_flag",
  summary: "Edit a feature flag",
  description:
    "Changes the fields given (lists are replaced whole). With `If-Match: \"<version>\"`, a flag edited since is a 412 " +
    "`flag_changed` and nothing is written. Recorded in the audit log (`flag.update`, the row before and after) in the same " +
    "statement; an edit that changes nothing records nothing. Takes effect in this isolate at once, everywhere within " +
    "`FLAG_CACHE_SECONDS`.",
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(UpdateFlagBody) },
  responses: { 200: jsonContent(FlagSchema, "The flag now"), ...problems(400, 404, 412, 415) },
});

export const remove = admin.authed({
  method: "delete",
  path: "/api/admin/flags/{id}",
  minLevel: FLAG_WRITE_LEVEL,
  object: "feature_flag",
  summary: "Delete a feature flag",
  description: "Recorded in the audit log (`flag.delete`, the row before) in the same statement. A deleted flag is off (absent from `GET /api/flags`).",
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...problems(400, 404) },
});
