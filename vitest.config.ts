import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * `DATABASE_URL=postgres://... npm test` runs the suite on that PostgreSQL server (unset:
 * PGlite). The test setup reads it as TEST_POSTGRES_URL, because DATABASE_URL itself is
 * given a placeholder below.
 */
process.env.TEST_POSTGRES_URL ??= process.env.DATABASE_URL ?? "";

/**
 * The Worker's values for its required secrets (wrangler.toml `[secrets]`). The bindings
 * below are what the Worker sees; wrangler also looks for the names in the environment, and
 * would warn once per test file that they are missing.
 */
const TEST_SECRETS = {
  DATABASE_URL: "postgres://placeholder@localhost/each-test-file-gets-its-own-database",
  JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789",
  ENCRYPTION_KEY: "test-encryption-key-0123456789abcdef012345",
  EMAIL_API_KEY: "",
  DEPLOY_WEBHOOK_SECRET: "test-deploy-webhook-secret-0123456789abcdef",
};
for (const [name, value] of Object.entries(TEST_SECRETS)) process.env[name] ??= value;

/** Tests that open WebSockets to, or send through, the Durable Objects (see the `chat` project). */
const DURABLE_OBJECT_TESTS = ["src/modules/chat/**/*.test.ts", "src/modules/live/**/*.test.ts"];

/** The workerd project's plugin: the Worker as wrangler.toml declares it, with the test bindings. */
function workerdPlugin() {
  return cloudflareTest(({ inject }) => ({
    wrangler: { configPath: "./wrangler.toml" },
    // Offline: the Workers AI binding (always remote) is left out; tests use a fake provider.
    remoteBindings: false,
    miniflare: {
      bindings: {
        APP_ENV: "test",
        LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
        NEON_FETCH_ENDPOINT: `${inject("neonLocalUrl")}/sql`,
        DATABASE_URL: inject("sharedDatabaseUrl"),
        JWT_SECRET: TEST_SECRETS.JWT_SECRET,
        ENCRYPTION_KEY: TEST_SECRETS.ENCRYPTION_KEY,
        DEPLOY_WEBHOOK_SECRET: TEST_SECRETS.DEPLOY_WEBHOOK_SECRET,
        APP_URL: "https://app.mundotango.test",
        // Cheap password hashes for the suite; lib/password.test.ts checks the standard cost.
        PASSWORD_HASH_COST: "fast",
        // No model provider: AI routes answer 503 unless a test builds the app with the fake (test/ai.ts).
        AI_PROVIDER: "none",
        TEST_NEON_LOCAL_URL: inject("neonLocalUrl"),
        TEST_TEMPLATE_DATABASE: inject("templateDatabase"),
      },
    },
  }));
}

/**
 * Three projects:
 * - `workers`: the application's tests, inside workerd (the Workers runtime), reaching the
 *   database through the production neon-http driver and the local endpoint that
 *   test/global-setup.ts starts; each file on a database of its own;
 * - `chat`: the tests that go through the Durable Objects (chat rooms, live hubs). A Durable
 *   Object reaches Postgres with the Worker's own DATABASE_URL, so these files share the
 *   project's database (`useSharedDatabase()`) and run one at a time: one of them takes that
 *   database's endpoint away to test an outage;
 * - `tools`: the Node-side tools (the local endpoint itself, migrate, seed) and the benchmarks'
 *   report, in Node.
 */
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [workerdPlugin()],
        test: {
          name: "workers",
          include: ["src/**/*.test.ts", "drizzle/**/*.test.ts", "workers/**/*.test.ts", "test/**/*.test.ts"],
          exclude: DURABLE_OBJECT_TESTS,
          globalSetup: ["./test/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [workerdPlugin()],
        test: {
          name: "chat",
          include: DURABLE_OBJECT_TESTS,
          globalSetup: ["./test/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "tools",
          environment: "node",
          include: ["tools/**/*.test.ts", "bench/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
