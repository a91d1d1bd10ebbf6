import { env } from "cloudflare:test";
import { deployments } from "../drizzle/schema";
import type { Db } from "../src/lib/db";
import { utf8 } from "../src/lib/encoding";
import { unique } from "./factories";
import type { Api, ApiResponse } from "./harness";

export const WEBHOOK_PATH = "/api/deployments/webhook";

/** The secret the test Worker verifies webhooks with (vitest.config.ts). */
export const webhookSecret = (): string => (env).DEPLOY_WEBHOOK_SECRET;

/** The signature CI sends: `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export async function signWebhook(body: string, timestamp: number | string, secret = webhookSecret()): Promise<string> {
  const key = await crypto.subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(`${timestamp}.${body}`)));
  return `sha256=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Unix seconds now (what CI puts in X-Mundo-Timestamp), shifted by `offsetSeconds`. */
export const unixNow = (offsetSeconds = 0): number => Math.floor(Date.now() / 1000) + offsetSeconds;

/** Signed webhook headers for a raw body. */
export async function webhookHeaders(body: string, options: { timestamp?: number | string; secret?: string } = {}): Promise<Record<string, string>> {
  const timestamp = options.timestamp ?? unixNow();
  return {
    "content-type": "application/json",
    "x-mundo-timestamp": String(timestamp),
    "x-mundo-signature": await signWebhook(body, timestamp, options.secret),
  };
}

/** A minimal valid report of a new deployment (a unique CI run id), changed by `overrides`. */
export function deploymentReport(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { event: "deployment", externalId: unique("run-"), status: "pending", gitBranch: "main", ...overrides };
}

/**
 * Posts a report to the webhook, signed as CI signs it.
 *
 * @example
 * const res = await sendReport(t.api, deploymentReport({ status: "building" }));
 */
export async function sendReport(
  api: Api,
  report: unknown,
  options: { timestamp?: number | string; secret?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const body = JSON.stringify(report);
  const headers = { ...(await webhookHeaders(body, options)), ...options.headers };
  return api.post(WEBHOOK_PATH, { body, headers });
}

/**
 * A deployments row, written directly: a CI deployment of `main`, `pending`, with a unique
 * external id unless given.
 *
 * @example
 * const done = await createDeployment(t.db, { status: "success", completedAt: new Date() });
 */
export async function createDeployment(db: Db, overrides: Partial<typeof deployments.$inferInsert> = {}) {
  const [row] = await db
    .insert(deployments)
    .values({ externalId: unique("run-"), type: "production", status: "pending", gitBranch: "main", ...overrides })
    .returning();
  return row!;
}
