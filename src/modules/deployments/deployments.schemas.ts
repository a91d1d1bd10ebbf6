import { z } from "@hono/zod-openapi";
import { DEPLOYMENT_STATUSES, DEPLOYMENT_TYPES } from "./deployments.policy";
import { PageQuery } from "../../lib/pagination";
import { HttpUrl, multiLine, singleLine } from "../../lib/text";

/** Build logs kept per deployment: CI sends the tail (tools/deploy-webhook.ts cuts it), longer is a 400. */
export const MAX_BUILD_LOG_CHARS = 65_536;

/**
 * One report from CI, as the signed webhook body carries it. `externalId` (CI's run id) names
 * the deployment: the first report of it creates the row, later ones move it.
 */
export const DeploymentReport = z
  .strictObject({
    event: z.literal("deployment"),
    externalId: singleLine(100, 1).openapi({ description: "CI's id for this deployment (its run id)", example: "gha-7312945501-1" }),
    status: z.enum(DEPLOYMENT_STATUSES),
    type: z.enum(DEPLOYMENT_TYPES).optional().openapi({ description: "Taken from the first report only (default production)" }),
    gitCommitSha: z
      .string()
      .regex(/^[0-9a-fA-F]{40}$/, "40 hexadecimal characters")
      .transform((sha) => sha.toLowerCase())
      .optional(),
    gitBranch: singleLine(255, 1).openapi({ example: "main" }),
    gitCommitMessage: multiLine(2000).optional(),
    triggeredBy: singleLine(100).optional().openapi({ description: "Who started it on CI's side (a login)" }),
    versionId: singleLine(100).optional().openapi({ description: "The Cloudflare Worker version id" }),
    url: HttpUrl.optional(),
    buildLogs: multiLine(MAX_BUILD_LOG_CHARS)
      .optional()
      .openapi({ description: `The tail of the build log, at most ${MAX_BUILD_LOG_CHARS} characters, without terminal escapes` }),
    errorMessage: multiLine(2000).optional(),
  })
  .openapi("DeploymentReport");

export type DeploymentReport = z.output<typeof DeploymentReport>;

/** The signed webhook's headers (the route's middleware has checked them before anything is parsed). */
export const WebhookHeaders = z.object({
  "x-mundo-timestamp": z
    .string()
    .regex(/^[0-9]{1,12}$/)
    .openapi({ param: { name: "x-mundo-timestamp", in: "header" }, description: "Unix seconds when CI signed the report", example: "1767225600" }),
  "x-mundo-signature": z
    .string()
    .regex(/^sha256=[0-9a-fA-F]{64}$/)
    .openapi({
      param: { name: "x-mundo-signature", in: "header" },
      description: "`sha256=` and the hex HMAC-SHA256 of `<timestamp>.<raw body>` under the shared secret",
    }),
});

export const DeploymentSchema = z
  .object({
    id: z.number().int(),
    externalId: z.string().nullable().openapi({ description: "CI's id; a rollback record's is `rollback-<id>`" }),
    type: z.enum(DEPLOYMENT_TYPES),
    status: z.enum(DEPLOYMENT_STATUSES),
    gitCommitSha: z.string().nullable(),
    gitBranch: z.string(),
    gitCommitMessage: z.string().nullable(),
    triggeredBy: z.string().nullable(),
    versionId: z.string().nullable(),
    url: z.string().nullable(),
    errorMessage: z.string().nullable(),
    rollbackOfId: z.number().int().nullable().openapi({ description: "A rollback record: the earlier success it returns to" }),
    recordedBy: z.number().int().nullable().openapi({ description: "The admin who recorded it (a rollback); null when CI reported it" }),
    startedAt: z.string().nullable(),
    buildingAt: z.string().nullable(),
    deployingAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    durationSeconds: z.number().int().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Deployment");

export const DeploymentDetailSchema = DeploymentSchema.extend({ buildLogs: z.string().nullable() }).openapi("DeploymentDetail");

export type Deployment = z.infer<typeof DeploymentSchema>;
export type DeploymentDetail = z.infer<typeof DeploymentDetailSchema>;

export const DeploymentListQuery = PageQuery.extend({
  status: z.enum(DEPLOYMENT_STATUSES).optional(),
  branch: singleLine(255, 1).optional(),
  type: z.enum(DEPLOYMENT_TYPES).optional(),
});

export const RollbackBody = z.strictObject({ reason: singleLine(500, 1).optional() }).openapi("RollbackRequest");
