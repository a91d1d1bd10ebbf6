import { trips } from "../drizzle/schema";
import type { Db } from "../src/lib/db";

/**
 * Row factories for the travel tests, inserted directly (no notification), with overridable
 * fields. Listings, stays, teachers and venues come from test/housing.ts and test/directory.ts.
 */

const daysFrom = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** A trip (friends-only, a week from `startsOn`) inserted directly: no notification. */
export async function createTrip(db: Db, overrides: Partial<typeof trips.$inferInsert> & { userId: number }) {
  const startsOn = overrides.startsOn ?? "2030-03-01";
  const [trip] = await db
    .insert(trips)
    .values({ city: "Buenos Aires", country: "Argentina", startsOn, endsOn: daysFrom(startsOn, 7), visibility: "friends", ...overrides })
    .returning();
  return trip!;
}
