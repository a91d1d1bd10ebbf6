import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Two projects:
 * - `workers`: the application's tests, inside workerd (the Workers runtime), reaching the
 *   database through the production neon-http driver and the local endpoint that
 *   test/global-setup.ts starts;
 * - `tools`: the Node-side tools (the local endpoint itself, migrate, seed), in Node.
 */
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                APP_ENV: "test",
                LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
                NEON_FETCH_ENDPOINT: `${inject("neonLocalUrl")}/sql`,
                DATABASE_URL: inject("sharedDatabaseUrl"),
                JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789",
                ENCRYPTION_KEY: "test-encryption-key-0123456789abcdef012345",
                APP_URL: "https://app.mundotango.test",
                // Cheap password hashes for the suite; lib/password.test.ts checks the standard cost.
                PASSWORD_HASH_COST: "fast",
                TEST_NEON_LOCAL_URL: inject("neonLocalUrl"),
                TEST_TEMPLATE_DATABASE: inject("templateDatabase"),
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["src/**/*.test.ts", "drizzle/**/*.test.ts", "workers/**/*.test.ts", "test/**/*.test.ts"],
          globalSetup: ["./test/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "tools",
          environment: "node",
          include: ["tools/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
