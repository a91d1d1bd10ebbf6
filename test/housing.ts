import { eq } from "drizzle-orm";
import { guestBookings, hostHomeBlockedDates, hostHomes } from "../drizzle/housing";
import type { Db } from "../src/lib/db";
import { mediaUrl, unique } from "./factories";

/** A day `days` from today (UTC) as `YYYY-MM-DD`: booking dates relative to the test's run. */
export function day(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A listing hosted by `userId` (active, anyone may ask to stay, 25.00 ARS a night, 2 guests),
 * with a unique title and address so a leak or a mix-up shows.
 *
 * @example
 * const home = await createListing(t.db, { userId: host.id, city: "Rosario" });
 */
export async function createListing(db: Db, overrides: Partial<typeof hostHomes.$inferInsert> & { userId: number }) {
  const handle = unique("home");
  const [home] = await db
    .insert(hostHomes)
    .values({
      title: `Room ${handle}`,
      description: "A quiet room near the milongas",
      address: `Calle ${handle} 1234`,
      city: "Buenos Aires",
      country: "Argentina",
      latitude: -34.6037,
      longitude: -58.3816,
      maxGuests: 2,
      pricePerNight: 2500,
      currency: "ARS",
      houseRules: "No shoes on the wooden floor",
      ...overrides,
    })
    .returning();
  return home!;
}

/** A stay at `homeId` by `guestId` (pending unless told), priced from the given nightly price. */
export async function createBooking(
  db: Db,
  input: { homeId: number; guestId: number; checkIn: string; checkOut: string; status?: (typeof guestBookings.$inferInsert)["status"]; pricePerNight?: number },
) {
  const nights = Math.round((Date.parse(input.checkOut) - Date.parse(input.checkIn)) / 86_400_000);
  const price = input.pricePerNight ?? 2500;
  const [booking] = await db
    .insert(guestBookings)
    .values({
      homeId: input.homeId,
      guestId: input.guestId,
      checkIn: input.checkIn,
      checkOut: input.checkOut,
      guests: 1,
      message: "Hola, I come for the festival",
      rulesAcceptedAt: new Date(),
      houseRules: "No shoes on the wooden floor",
      nights,
      pricePerNight: price,
      totalPrice: price * nights,
      currency: "ARS",
      status: input.status ?? "pending",
    })
    .returning();
  return booking!;
}

/** Closed dates on a listing. */
export async function blockListingDates(db: Db, homeId: number, startsOn: string, endsOn: string) {
  const [row] = await db.insert(hostHomeBlockedDates).values({ homeId, startsOn, endsOn }).returning();
  return row!;
}

/** The status of a stay as stored. */
export async function bookingStatus(db: Db, bookingId: number) {
  const [row] = await db.select({ status: guestBookings.status }).from(guestBookings).where(eq(guestBookings.id, bookingId));
  return row?.status;
}

/** A valid create body for POST /api/housing/listings, with one uploaded photo. */
export function listingBody(env: Env, overrides: Record<string, unknown> = {}) {
  return {
    title: "Sunny room in Almagro",
    description: "Two blocks from Salon Canning",
    address: `Medrano ${unique("n")}`,
    city: "Buenos Aires",
    country: "Argentina",
    latitude: -34.6037,
    longitude: -58.4203,
    maxGuests: 2,
    pricePerNight: 3000,
    currency: "ARS",
    houseRules: "Quiet after 2 a.m., except after a milonga",
    photos: [{ url: mediaUrl(env), caption: "The room" }],
    amenities: ["WiFi", "Wooden floor", "wifi"],
    ...overrides,
  };
}

/** A valid request body for POST /api/housing/listings/{id}/bookings. */
export function stayBody(checkIn: string, checkOut: string, overrides: Record<string, unknown> = {}) {
  return { checkIn, checkOut, guests: 1, message: "Hola! I dance at the festival", acceptRules: true, ...overrides };
}
