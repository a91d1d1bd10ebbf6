import { guestBookings, hostHomes, trips } from "../drizzle/schema";
import type { Db } from "../src/lib/db";
import { unique } from "./factories";

/**
 * Row factories for the travel tests: rows inserted directly (not through the housing or
 * directory routes), with unique names and overridable fields.
 */

const daysFrom = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** A listing (active, bookable by anyone) in Buenos Aires unless told otherwise. */
export async function createHome(db: Db, overrides: Partial<typeof hostHomes.$inferInsert> & { userId: number }) {
  const [home] = await db
    .insert(hostHomes)
    .values({
      title: `Room near Canning ${unique()}`,
      description: "A quiet room",
      address: `Calle Secreta ${unique()}`,
      city: "Buenos Aires",
      country: "Argentina",
      latitude: -34.59,
      longitude: -58.42,
      maxGuests: 2,
      pricePerNight: 3000,
      currency: "USD",
      houseRules: "No shoes inside",
      ...overrides,
    })
    .returning();
  return home!;
}

/** A booking of a home from `checkIn` to `checkOut` (`[)`), with the price computed as the table demands. */
export async function bookHome(
  db: Db,
  input: { homeId: number; guestId: number; checkIn: string; checkOut: string; status?: string; pricePerNight?: number },
) {
  const nights = Math.round((Date.parse(input.checkOut) - Date.parse(input.checkIn)) / 86_400_000);
  const price = input.pricePerNight ?? 3000;
  const [booking] = await db
    .insert(guestBookings)
    .values({
      homeId: input.homeId,
      guestId: input.guestId,
      checkIn: input.checkIn,
      checkOut: input.checkOut,
      guests: 1,
      message: "Hola",
      rulesAcceptedAt: new Date(),
      houseRules: "No shoes inside",
      nights,
      pricePerNight: price,
      totalPrice: price * nights,
      currency: "USD",
      status: input.status ?? "pending",
    })
    .returning();
  return booking!;
}

/** A trip (friends-only, a week from `startsOn`) inserted directly: no notification. */
export async function createTrip(db: Db, overrides: Partial<typeof trips.$inferInsert> & { userId: number }) {
  const startsOn = overrides.startsOn ?? "2030-03-01";
  const [trip] = await db
    .insert(trips)
    .values({ city: "Buenos Aires", country: "Argentina", startsOn, endsOn: daysFrom(startsOn, 7), visibility: "friends", ...overrides })
    .returning();
  return trip!;
}
