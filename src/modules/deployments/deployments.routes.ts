import { IdParam, jsonBody, jsonContent, optionalJsonBody, problems } from "../../lib/openapi";
import { pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { DEPLOYMENT_READ_LEVEL, DEPLOYMENT_WRITE_LEVEL } from "./deployments.policy";
import {
  DeploymentDetailSchema,
  DeploymentListQuery,
  DeploymentReport,
  DeploymentSchema,
  RollbackBody,
  WebhookHeaders,
} from "./deployments.schemas";
import { verifiedWebhook, WEBHOOK_TOLERANCE_SECONDS } from "./deployments.signature";

const route = moduleRoutes("Deployments");

/** The extension naming a signed webhook route: the generated input suites sign their requests to it (test/openapi.ts). */
export const SIGNED_WEBHOOK_EXTENSION = "x-signed-webhook";

export const webhook = route.public({
  method: "post",
  path: "/api/deployments/webhook",
  [SIGNED_WEBHOOK_EXTENSION]: "deployments",
  middleware: verifiedWebhook,
  summary: "CI reports a deployment (signed webhook)",
  description:
    "CI's credential is the signature: `X-Mundo-Signature: sha256=<hex>`, the HMAC-SHA256 under the shared secret " +
    "`DEPLOY_WEBHOOK_SECRET` of `<X-Mundo-Timestamp>.<raw body>`, checked in constant time before the body is " +
    "parsed (401 `invalid_signature`). A timestamp more than " +
    `${WEBHOOK_TOLERANCE_SECONDS} seconds from the server's clock is 401 \`stale_webhook\`; a delivery received ` +
    "before is 409 `webhook_replayed`; without a configured secret, 503 `webhook_not_configured`. The first report " +
    "of an `externalId` creates the deployment (201); later ones move it (200) forward only along pending → " +
    "building → deploying → success | failed | cancelled (steps may be skipped; the same status again changes no " +
    "status), anything else is 409 `illegal_transition`. Each step's time is kept, and `durationSeconds` is the end " +
    "minus the start.",
  request: { headers: WebhookHeaders, body: jsonBody(DeploymentReport) },
  responses: {
    200: jsonContent(DeploymentSchema, "The deployment, moved (or unchanged by a repeated status)"),
    201: jsonContent(DeploymentSchema, "The deployment, created by its first report"),
    ...problems(400, 401, 409, 415, 503),
  },
});

export const list = route.authed({
  method: "get",
  path: "/api/admin/deployments",
  minLevel: DEPLOYMENT_READ_LEVEL,
  summary: "Deployments, newest first",
  description: "Filtered by `status`, `branch` (exact) and `type`.",
  request: { query: DeploymentListQuery },
  responses: { 200: jsonContent(pageSchema(DeploymentSchema), "A page of deployments"), ...problems(400) },
});

export const get = route.authed({
  method: "get",
  path: "/api/admin/deployments/{id}",
  minLevel: DEPLOYMENT_READ_LEVEL,
  object: "deployment",
  summary: "One deployment, with its build logs",
  request: { params: IdParam },
  responses: { 200: jsonContent(DeploymentDetailSchema, "The deployment"), ...problems(400, 404) },
});

export const rollback = route.authed({
  method: "post",
  path: "/api/admin/deployments/{id}/rollback",
  minLevel: DEPLOYMENT_WRITE_LEVEL,
  object: "deployment",
  summary: "Record a rollback to an earlier successful deployment",
  description:
    "Records a `rollback` deployment, `pending`, pointing at this one (which must be a `success`, else 409 " +
    "`not_rollback_target`), on its branch, commit and version. CI then reports the rollback's moves through the " +
    "webhook under the returned `externalId` (`rollback-<id>`). Recorded in the audit log with the reason.",
  request: { params: IdParam, body: optionalJsonBody(RollbackBody) },
  responses: { 201: jsonContent(DeploymentSchema, "The rollback record"), ...problems(400, 404, 409, 415) },
});

export const cancel = route.authed({
  method: "post",
  path: "/api/admin/deployments/{id}/cancel",
  minLevel: DEPLOYMENT_WRITE_LEVEL,
  object: "deployment",
  summary: "Cancel a deployment not yet ended",
  description: "A pending, building or deploying deployment becomes `cancelled` (audited); an ended one is 409 `illegal_transition`.",
  request: { params: IdParam },
  responses: { 200: jsonContent(DeploymentSchema, "The cancelled deployment"), ...problems(400, 404, 409) },
});
