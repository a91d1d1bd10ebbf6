import { defineConfig } from "drizzle-kit";

/** drizzle-kit reads the schema in drizzle/ and writes SQL migrations to migrations/. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./drizzle/schema.ts",
  out: "./migrations",
  strict: true,
  verbose: true,
});
