/**
 * The deployable API Worker: HTTP requests go to the Hono app, Cron Triggers to the jobs.
 */
import { createApp } from "../src/app";
import { runScheduled } from "../src/jobs";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller, env) {
    await runScheduled(controller.cron, env, new Date(controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
