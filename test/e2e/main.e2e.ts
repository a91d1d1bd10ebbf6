/**
 * `npm run test:e2e`: the web client in a real browser against `npm run dev` on a fresh data
 * directory. One server and one browser for the whole run; every scenario makes its own
 * dancers, so scenarios do not depend on each other.
 */
import assert from "node:assert/strict";
import { after, afterEach, before } from "node:test";
import { E2E } from "./harness";
import { authScenarios } from "./auth.e2e";
import { chatScenarios } from "./chat.e2e";
import { eventsScenarios } from "./events.e2e";
import { feedScenarios } from "./feed.e2e";

const e2e = new E2E();
before(() => e2e.start(), { timeout: 240_000 });
after(() => e2e.stop());
// No uncaught script error, no Content-Security-Policy refusal and no page left behind by a
// navigation in any page of a test.
afterEach(async () => assert.deepEqual(await e2e.takeProblems(), []));

authScenarios(e2e);
feedScenarios(e2e);
eventsScenarios(e2e);
chatScenarios(e2e);
