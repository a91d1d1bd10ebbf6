/**
 * The deployable API Worker: HTTP requests go to the Hono app, Cron Triggers to the jobs,
 * queue deliveries to their consumer. It also exports the Durable Object classes that
 * wrangler.toml binds: ChatRoom (one per chat room) and UserHub (one per dancer's live channel).
 */
import { createApp } from "../src/app";
import { consumeJobChunks, JOB_CHUNKS_QUEUE, runScheduled } from "../src/jobs";
import { consumeEventViews, EVENT_VIEWS_QUEUE } from "../src/modules/events";

export { ChatRoom } from "../src/modules/chat";
export { UserHub } from "../src/modules/live";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller, env) {
    await runScheduled(controller.cron, env, new Date(controller.scheduledTime));
  },
  async queue(batch, env) {
    if (batch.queue === EVENT_VIEWS_QUEUE) return consumeEventViews(batch, env);
    if (batch.queue === JOB_CHUNKS_QUEUE) return consumeJobChunks(batch, env);
    // A queue wired to this Worker in wrangler.toml without a consumer here: the delivery fails
    // (and is retried), rather than its messages being acknowledged unread.
    throw new Error(`No consumer for the queue ${batch.queue}`);
  },
} satisfies ExportedHandler<Env>;
