import { sql } from "drizzle-orm";
import {
  guestBookings,
  hostHomes,
  teacherLocations,
  teacherProfiles,
  TANGO_STYLES,
  trips,
  venues,
  volunteerAvailability,
  volunteers,
  volunteerTasks,
  VOLUNTEER_SKILLS,
} from "../../drizzle/schema";
import type { Db } from "../../src/lib/db";

type Random = {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  sample<T>(items: readonly T[], n: number): T[];
};

interface Place {
  city: string;
  country: string;
  lat: number;
  lng: number;
  venues: readonly string[];
}

export interface TravelSeedCounts {
  venues: number;
  teachers: number;
  listings: number;
  bookings: number;
  volunteers: number;
  volunteerTasks: number;
  trips: number;
}

const DAY = 86_400_000;
const LANGUAGE_CODES = ["es", "en", "it", "fr", "de", "ja", "tr", "pt"];
const AMENITIES = ["wifi", "kitchen", "washing_machine", "dance_floor", "near_milonga", "air_conditioning", "heating"];
const FLOORS = ["wood", "parquet", "marble", "tile"];

/** A date `days` from `now`, as 'YYYY-MM-DD' (UTC). */
const dayFrom = (now: number, days: number) => new Date(now + days * DAY).toISOString().slice(0, 10);
/** A point near a city's centre (within about a kilometre). */
const near = (random: Random, place: Place) => ({
  latitude: place.lat + (random.next() - 0.5) / 50,
  longitude: place.lng + (random.next() - 0.5) / 50,
});

/**
 * The travel side of the demo world: each city's venues (its events linked to them), teachers
 * (some visiting another city soon), listings with an approved stay, volunteers with weekly
 * availability and a task per festival, and trips. Everything hangs off demo accounts, so the
 * seed's rerun removes it by cascade.
 */
export async function seedTravel(
  db: Db,
  random: Random,
  input: { now: number; cities: readonly Place[]; byCity: Map<string, number[]>; log?: (line: string) => void },
): Promise<TravelSeedCounts> {
  const { now, cities, byCity, log } = input;
  const all = [...byCity.values()].flat();

  log?.("Venues");
  const venueRows = cities.flatMap((place) => {
    const locals = byCity.get(place.city) ?? [];
    if (!locals.length) return [];
    return place.venues.map((name) => ({
      createdBy: random.pick(locals),
      name,
      description: `A milonga home in ${place.city}: a good floor and a friendly crowd.`,
      address: `${random.int(1, 2000)} ${name} Street`,
      city: place.city,
      country: place.country,
      ...near(random, place),
      floor: random.pick(FLOORS),
      capacity: random.int(60, 400),
      regularNights: [{ weekday: random.int(0, 6), start: "21:00", end: "23:59", name: `Milonga at ${name}` }],
    }));
  });
  const createdVenues = venueRows.length ? await db.insert(venues).values(venueRows).returning({ id: venues.id, name: venues.name, city: venues.city }) : [];
  // The demo events name their venue: link them to the directory's row.
  await db.execute(sql`
    UPDATE events e SET venue_id = v.id FROM venues v
    WHERE v.name = e.venue AND v.city = e.city AND e.venue_id IS NULL AND v.id IN (SELECT value::int FROM jsonb_array_elements_text(${JSON.stringify(createdVenues.map((v) => v.id))}::jsonb))`);

  log?.("Teachers");
  const teacherUsers = all.filter((_, i) => i % 8 === 0);
  const cityOf = new Map<number, Place>();
  for (const place of cities) for (const id of byCity.get(place.city) ?? []) cityOf.set(id, place);
  const createdTeachers = teacherUsers.length
    ? await db
        .insert(teacherProfiles)
        .values(
          teacherUsers.map((userId) => {
            const place = cityOf.get(userId)!;
            return {
              userId,
              headline: `Tango teacher in ${place.city}`,
              bio: "Classes for every level: posture, embrace, musicality.",
              styles: random.sample(TANGO_STYLES, random.int(1, 3)),
              levels: random.sample(["beginner", "intermediate", "advanced", "professional"], random.int(1, 3)),
              languages: random.sample(LANGUAGE_CODES, random.int(1, 3)),
              city: place.city,
              country: place.country,
              ...near(random, place),
              privateLessons: random.next() < 0.7,
              privateRate: random.int(40, 120) * 100,
              groupRate: random.int(10, 25) * 100,
              currency: "EUR",
            };
          }),
        )
        .returning({ id: teacherProfiles.id, city: teacherProfiles.city })
    : [];
  // Half of them teach in another city soon, for a week.
  const visits = createdTeachers
    .filter((_, i) => i % 2 === 0)
    .map((teacher) => {
      const place = random.pick(cities.filter((c) => c.city !== teacher.city));
      const start = random.int(3, 60);
      return { teacherId: teacher.id, city: place.city, country: place.country, ...near(random, place), startsOn: dayFrom(now, start), endsOn: dayFrom(now, start + 6), note: "Workshops and private lessons" };
    });
  if (visits.length) await db.insert(teacherLocations).values(visits);

  log?.("Listings and stays");
  const hosts = all.filter((_, i) => i % 10 === 3);
  const createdHomes = hosts.length
    ? await db
        .insert(hostHomes)
        .values(
          hosts.map((userId) => {
            const place = cityOf.get(userId)!;
            return {
              userId,
              title: `A quiet room for dancers in ${place.city}`,
              description: "Ten minutes from the milongas. Shoes off at the door, dance shoes welcome.",
              address: `${random.int(1, 300)} Calle del Abrazo, ${place.city}`,
              city: place.city,
              country: place.country,
              ...near(random, place),
              amenities: random.sample(AMENITIES, random.int(2, 4)),
              maxGuests: random.int(1, 4),
              pricePerNight: random.int(25, 90) * 100,
              currency: "EUR",
              houseRules: "No smoking. Quiet after midnight, except after a good milonga.",
              bookingPolicy: random.pick(["anyone", "anyone", "friends_of_friends"]),
            };
          }),
        )
        .returning({ id: hostHomes.id, userId: hostHomes.userId, pricePerNight: hostHomes.pricePerNight, houseRules: hostHomes.houseRules })
    : [];
  const bookingRows = createdHomes.flatMap((home) => {
    const guest = random.pick(all.filter((id) => id !== home.userId));
    if (guest === undefined) return [];
    const start = random.int(5, 40);
    const nights = random.int(2, 6);
    return [
      {
        homeId: home.id,
        guestId: guest,
        checkIn: dayFrom(now, start),
        checkOut: dayFrom(now, start + nights),
        guests: 1,
        message: "Coming for the festival, I dance every night!",
        rulesAcceptedAt: new Date(now),
        houseRules: home.houseRules,
        nights,
        pricePerNight: home.pricePerNight,
        totalPrice: home.pricePerNight * nights,
        currency: "EUR",
        status: "approved",
        respondedAt: new Date(now),
      },
    ];
  });
  if (bookingRows.length) await db.insert(guestBookings).values(bookingRows);

  log?.("Volunteers and tasks");
  const volunteerUsers = all.filter((_, i) => i % 6 === 1);
  const createdVolunteers = volunteerUsers.length
    ? await db
        .insert(volunteers)
        .values(
          volunteerUsers.map((userId) => {
            const place = cityOf.get(userId)!;
            return {
              userId,
              bio: "Happy to help our community.",
              skills: random.sample(VOLUNTEER_SKILLS, random.int(1, 4)),
              languages: random.sample(LANGUAGE_CODES, random.int(1, 2)),
              city: place.city,
              country: place.country,
              ...near(random, place),
            };
          }),
        )
        .returning({ id: volunteers.id })
    : [];
  const availabilityRows = createdVolunteers.flatMap((v) =>
    random.sample([0, 1, 2, 3, 4, 5, 6], random.int(1, 3)).map((weekday) => ({ volunteerId: v.id, weekday, startTime: "10:00", endTime: "23:59" })),
  );
  if (availabilityRows.length) await db.insert(volunteerAvailability).values(availabilityRows);
  const festivals = await db.execute<{ id: number; user_id: number; start_date: string; city: string; country: string; title: string }>(sql`
    SELECT e.id, e.user_id, e.start_date, e.city, e.country, e.title FROM events e
    WHERE e.event_type = 'festival' AND e.user_id IN (SELECT value::int FROM jsonb_array_elements_text(${JSON.stringify(all)}::jsonb))`);
  const taskRows = festivals.rows.map((festival) => {
    const startsAt = new Date(`${String(festival.start_date).replace(" ", "T")}Z`);
    return {
      createdBy: festival.user_id,
      eventId: festival.id,
      title: `Door and registration at ${festival.title}`,
      description: "Welcome dancers, check tickets, answer questions.",
      skillsNeeded: ["door", "registration"],
      startsAt: new Date(startsAt.getTime() - 3_600_000),
      endsAt: new Date(startsAt.getTime() + 3 * 3_600_000),
      location: festival.title,
      city: festival.city,
      country: festival.country,
      seats: 4,
    };
  });
  if (taskRows.length) await db.insert(volunteerTasks).values(taskRows);

  log?.("Trips");
  const travellers = all.filter((_, i) => i % 10 === 7);
  const tripRows = travellers.map((userId) => {
    const home = cityOf.get(userId)!;
    const place = random.pick(cities.filter((c) => c.city !== home.city));
    const start = random.int(2, 90);
    return {
      userId,
      city: place.city,
      country: place.country,
      startsOn: dayFrom(now, start),
      endsOn: dayFrom(now, start + random.int(2, 10)),
      note: "Looking for milongas and practica partners",
      visibility: random.pick(["public", "friends", "friends"]),
    };
  });
  if (tripRows.length) await db.insert(trips).values(tripRows);

  return {
    venues: createdVenues.length,
    teachers: createdTeachers.length,
    listings: createdHomes.length,
    bookings: bookingRows.length,
    volunteers: createdVolunteers.length,
    volunteerTasks: taskRows.length,
    trips: tripRows.length,
  };
}
