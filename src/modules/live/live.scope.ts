// Every notify() reaches the hubs of the dancers it notified who have a live channel open. A
// scope (a request, a cron run, a Durable Object's flush) watches its notification writes:
// each one tells, in its own transaction and round trip, which of its recipients are live
// (notifications' watchNotifications). When the scope ends, those dancers' hubs are told to
// read and push what changed. A scope that notified nobody live calls nothing.

import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { type AppEnv, createCtx } from "../../lib/context";
import { errorFields, type Logger } from "../../lib/logger";
import { watchNotifications } from "../notifications";
import { userHubStub } from "./live.rpc";
import { liveAudience } from "./live.service";

/**
 * Tells each dancer's hub that their notifications changed (it reads and pushes them). Never
 * throws: a hub that cannot be reached is logged, and the dancer sees the change on their next
 * connect or read.
 */
export async function publishNotifications(env: Env, userIds: Iterable<number>, logger: Logger): Promise<void> {
  const ids = [...new Set(userIds)];
  if (!ids.length) return;
  const results = await Promise.allSettled(ids.map((id) => userHubStub(env, id).publish({ notifications: true })));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed.length) {
    logger.warn("live publish failed", { code: "live_publish_failed", hubs: ids.length, failed: failed.length, ...errorFields(failed[0]!.reason) });
  } else {
    logger.debug("live published", { code: "live_published", hubs: ids.length });
  }
}

/** Runs `work` collecting the live dancers whose notifications it changes. */
function watched<T>(changed: Set<number>, work: () => T): T {
  return watchNotifications({ audience: liveAudience, changed: (ids) => ids.forEach((id) => changed.add(id)) }, work);
}

/**
 * Runs `work` (a cron run, a Durable Object's flush to Postgres) so that the notifications it
 * writes reach the live channels of their recipients, once it is over (whether it succeeded or
 * not: what it committed is pushed).
 *
 * @example
 * await withLiveNotifications(env, () => flushOutbox(ctx));
 */
export async function withLiveNotifications<T>(env: Env, work: () => Promise<T>, logger?: Logger): Promise<T> {
  const changed = new Set<number>();
  try {
    return await watched(changed, work);
  } finally {
    await publishNotifications(env, changed, logger ?? createCtx(env).logger);
  }
}

/** The request's waitUntil, or none (a test calling the app without an execution context). */
function waitUntilOf(c: Context<AppEnv>): ((promise: Promise<unknown>) => void) | undefined {
  try {
    const executionCtx = c.executionCtx;
    return (promise) => executionCtx.waitUntil(promise);
  } catch {
    return undefined;
  }
}

/**
 * The request's scope: after the response, the hubs of the live dancers it notified (or whose
 * notifications it marked read) are told, without holding the response back.
 */
export const liveNotifications = createMiddleware<AppEnv>(async (c, next) => {
  const changed = new Set<number>();
  try {
    await watched(changed, next);
  } finally {
    if (changed.size) {
      const publishing = publishNotifications(c.env, changed, c.var.ctx.logger);
      const waitUntil = waitUntilOf(c);
      if (waitUntil) waitUntil(publishing);
      else await publishing;
    }
  }
});
