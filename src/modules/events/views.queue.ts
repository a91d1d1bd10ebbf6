import { z } from "@hono/zod-openapi";
import { createCtx } from "../../lib/context";
import { errorFields, type Logger } from "../../lib/logger";
import { INT4_MAX } from "../../lib/text";
import { countEventViews, EVENT_VIEWS_QUEUE, type EventView } from "./views.service";

export { EVENT_VIEWS_QUEUE };

/** How long a batch that could not be counted waits before the queue delivers it again. */
export const VIEWS_RETRY_DELAY_SECONDS = 30;

/** A message on the views queue. */
const ViewMessage = z.object({ eventId: z.number().int().min(1).max(INT4_MAX) });
export type ViewMessage = z.infer<typeof ViewMessage>;

/**
 * Counts one view of an event, cheaply: a message on the views queue (binding EVENT_VIEWS),
 * added to the counters later with a whole batch of others ({@link consumeEventViews}), so a
 * page view is never a database write of its own. Never throws: a view is worth less than the
 * page it was counted on, so a queue that cannot take it is logged (code, event id) and the
 * view dropped. Run it after the response, with `waitUntil`.
 *
 * @example
 * c.executionCtx.waitUntil(recordEventView(c.env, event.id, c.var.ctx.logger));
 */
export async function recordEventView(env: Pick<Env, "EVENT_VIEWS">, eventId: number, logger?: Logger): Promise<void> {
  try {
    await env.EVENT_VIEWS.send({ eventId } satisfies ViewMessage, { contentType: "json" });
  } catch (error) {
    logger?.warn("event view not queued", { code: "event_view_not_queued", eventId, ...errorFields(error) });
  }
}

/** The views in a delivery, and how many of its messages were not views (dropped). */
function viewsOf(batch: MessageBatch<unknown>): { views: EventView[]; invalid: number } {
  const views: EventView[] = [];
  let invalid = 0;
  for (const message of batch.messages) {
    const parsed = ViewMessage.safeParse(message.body);
    if (!parsed.success) {
      invalid += 1;
      continue;
    }
    views.push({ messageId: message.id, eventId: parsed.data.eventId, day: message.timestamp.toISOString().slice(0, 10) });
  }
  return { views, invalid };
}

/**
 * The views queue's consumer: counts a delivery's views in one statement (views.service.ts),
 * each message once however often it is delivered, on the UTC day it was sent. The whole
 * batch is acknowledged when the statement commits; when it fails, nothing was written, and
 * the whole batch is delivered again after {@link VIEWS_RETRY_DELAY_SECONDS}. A message that
 * is not a view can never become one: it is acknowledged and dropped (counted in the log).
 */
export async function consumeEventViews(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const ctx = createCtx(env, { logFields: { queue: batch.queue } });
  const { views, invalid } = viewsOf(batch);
  try {
    const counts = await countEventViews(ctx, views);
    ctx.logger.info("event views counted", { messages: batch.messages.length, invalid, ...counts });
    batch.ackAll();
  } catch (error) {
    ctx.logger.error("event views not counted", { code: "event_views_failed", messages: batch.messages.length, ...errorFields(error) });
    batch.retryAll({ delaySeconds: VIEWS_RETRY_DELAY_SECONDS });
  }
}
