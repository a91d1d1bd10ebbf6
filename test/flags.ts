import { featureFlags } from "../drizzle/schema";
import type { Db } from "../src/lib/db";
import { unique } from "./factories";

/**
 * A feature flag row, written directly (not through the API, so no isolate's cache hears of
 * it: as a write from another isolate): enabled, 100%, untargeted, with a unique key unless given.
 *
 * @example
 * const flag = await createFlag(t.db, { rolloutPercentage: 25, cities: ["Berlin"] });
 */
export async function createFlag(db: Db, overrides: Partial<typeof featureFlags.$inferInsert> = {}) {
  const [flag] = await db
    .insert(featureFlags)
    .values({ key: unique("flag-").toLowerCase().slice(0, 64), enabled: true, rolloutPercentage: 100, ...overrides })
    .returning();
  return flag!;
}
