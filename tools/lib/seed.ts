import { eq, like, sql } from "drizzle-orm";
import {
  eventRsvps,
  events,
  follows,
  friendRequests,
  friendships,
  lifeCeoDomains,
  posts,
  users,
} from "../../drizzle/schema";
import type { Db } from "../../src/lib/db";
import { hashPassword } from "../../src/lib/password";
import { type AdminSeedCounts, seedAdmin } from "./seed-admin";
import { seedTravel, type TravelSeedCounts } from "./seed-travel";

/** Every demo account's email ends with this, so a rerun replaces exactly the demo data. */
export const SEED_EMAIL_DOMAIN = "seed.mundotango.test";
/** Every demo account's password. */
export const SEED_PASSWORD = "tango-demo-2026";

/**
 * Two demo dancers with names to remember, both in Buenos Aires and friends (with more than
 * ten users): sign in as one in a window and as the other in a private window to try the web
 * app's feed, notifications and chat between them (README).
 */
export const DEMO_DANCERS = ["demo_dancer", "demo_partner"] as const;

/** The original platform's ten cities. */
export const CITIES = [
  { city: "Buenos Aires", country: "Argentina", countryCode: "AR", lat: -34.6037, lng: -58.3816, venues: ["Salon Canning", "La Viruta", "El Beso", "Confiteria Ideal"] },
  { city: "Madrid", country: "Spain", countryCode: "ES", lat: 40.4168, lng: -3.7038, venues: ["Tango Bar Madrid", "Sala Bulevar"] },
  { city: "New York", country: "United States", countryCode: "US", lat: 40.7128, lng: -74.006, venues: ["Triangulo", "Dance Manhattan"] },
  { city: "Tokyo", country: "Japan", countryCode: "JP", lat: 35.6762, lng: 139.6503, venues: ["El Firulete", "Studio Tango Tokyo"] },
  { city: "Paris", country: "France", countryCode: "FR", lat: 48.8566, lng: 2.3522, venues: ["La Belle Equipe", "Le Temps du Tango"] },
  { city: "Milan", country: "Italy", countryCode: "IT", lat: 45.4642, lng: 9.19, venues: ["Tango Milano", "Salone Luna"] },
  { city: "Barcelona", country: "Spain", countryCode: "ES", lat: 41.3874, lng: 2.1686, venues: ["La Caldera", "Tango en el Born"] },
  { city: "Toronto", country: "Canada", countryCode: "CA", lat: 43.6532, lng: -79.3832, venues: ["Tango Fuego", "Queen West Studio"] },
  { city: "Berlin", country: "Germany", countryCode: "DE", lat: 52.52, lng: 13.405, venues: ["Clarchens Ballhaus", "Nou Tango"] },
  { city: "Istanbul", country: "Turkey", countryCode: "TR", lat: 41.0082, lng: 28.9784, venues: ["Tango Istanbul", "Galata Salon"] },
] as const;

const FIRST_NAMES = ["Ana", "Bruno", "Carla", "Diego", "Elena", "Facundo", "Gabriela", "Hiroshi", "Ines", "Javier", "Keiko", "Lucia", "Mateo", "Noemi", "Oscar", "Paula", "Quentin", "Rosa", "Santiago", "Tomoko", "Ugo", "Valeria", "Wolfgang", "Ximena", "Yusuf", "Zeynep"];
const LAST_NAMES = ["Fernandez", "Garcia", "Rossi", "Tanaka", "Dubois", "Muller", "Yilmaz", "Smith", "Martin", "Lopez", "Bianchi", "Sato", "Schmidt", "Kaya", "Brown"];
const LANGUAGES = ["Spanish", "English", "Italian", "French", "German", "Japanese", "Turkish", "Portuguese"];
const HASHTAGS = ["tango", "milonga", "practica", "festival", "abrazo", "tandas", "cabeceo", "vals", "milongueros", "tangonuevo"];
const SENTENCES = [
  "What a night at the milonga, the DJ played Di Sarli all evening.",
  "Looking for practica partners to work on sacadas this week.",
  "The embrace is where the dance begins.",
  "Three tandas in a row with the best follower in town!",
  "Who is going to the festival next month?",
  "Finally understood the cross system today.",
  "Vals tandas are my favourite part of the night.",
];

/** A small deterministic PRNG (mulberry32): the same seed gives the same demo data. */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const sample = <T>(items: readonly T[], count: number): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, count);
  };
  return { next, int, pick, sample };
}

export interface SeedOptions {
  users: number;
  seed: number;
  log?: (line: string) => void;
}

export interface SeedCounts extends TravelSeedCounts, AdminSeedCounts {
  users: number;
  follows: number;
  friendships: number;
  friendRequests: number;
  posts: number;
  events: number;
  rsvps: number;
  lifeCeoDomains: number;
}

const CHUNK = 500;

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>, label: string, log?: (l: string) => void) {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await insert(rows.slice(i, i + CHUNK));
    log?.(`  ${label} ${Math.min(i + CHUNK, rows.length)}/${rows.length}`);
  }
}

const DAY = 86_400_000;

/**
 * Fills the database with demo data: dancers in the original platform's ten cities, who
 * follow and befriend each other, post, organize milongas, practicas and festivals and
 * RSVP to them; the cities' venues, teachers, listings, volunteers and trips
 * (seed-travel.ts); a Super Admin, ESA agents and feature flags (seed-admin.ts). (The 16
 * Life CEO domains are reference data: migration 0019 makes them.) Rerunning replaces the previous demo data
 * (accounts under {@link SEED_EMAIL_DOMAIN}, and everything that cascades from them).
 */
export async function seed(db: Db, options: SeedOptions): Promise<SeedCounts> {
  const { log } = options;
  const random = createRandom(options.seed);
  const now = Date.now();

  log?.("Removing previous demo data");
  await db.delete(users).where(like(users.email, `%@${SEED_EMAIL_DOMAIN}`));

  log?.(`Users (${options.users})`);
  const password = await hashPassword(SEED_PASSWORD);
  const userRows = Array.from({ length: options.users }, (_, i) => {
    const place = CITIES[i % CITIES.length]!;
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const username = i === 0 ? DEMO_DANCERS[0] : i === CITIES.length ? DEMO_DANCERS[1] : `${first}_${last}_${i + 1}`.toLowerCase();
    const years = random.int(0, 25);
    const roles: string[] = random.pick([["leader"], ["follower"], ["leader", "follower"]]);
    return {
      email: `${username}@${SEED_EMAIL_DOMAIN}`,
      username,
      password,
      name: `${first} ${last}`,
      firstName: first,
      lastName: last,
      bio: `Tango dancer from ${place.city}.`,
      city: place.city,
      country: place.country,
      countryCode: place.countryCode,
      languages: random.sample(LANGUAGES, random.int(1, 3)),
      tangoRoles: roles,
      leaderLevel: roles.includes("leader") ? random.int(1, 10) : 0,
      followerLevel: roles.includes("follower") ? random.int(1, 10) : 0,
      yearsOfDancing: years,
      startedDancingYear: new Date(now).getUTCFullYear() - years,
      isVerified: true,
      isOnboardingComplete: true,
      codeOfConductAccepted: true,
      termsAccepted: true,
    };
  });
  const created: { id: number; city: string | null }[] = [];
  await insertChunked(
    userRows,
    async (chunk) => created.push(...(await db.insert(users).values(chunk).returning({ id: users.id, city: users.city }))),
    "users",
    log,
  );
  const byCity = new Map<string, number[]>();
  for (const user of created) byCity.set(user.city!, [...(byCity.get(user.city!) ?? []), user.id]);
  const ids = created.map((u) => u.id);

  log?.("Follows");
  const followRows = new Map<string, { followerId: number; followingId: number }>();
  for (const user of created) {
    const local = byCity.get(user.city!)!;
    for (const target of [...random.sample(local, 6), ...random.sample(ids, 3)]) {
      if (target !== user.id) followRows.set(`${user.id}:${target}`, { followerId: user.id, followingId: target });
    }
  }
  await insertChunked([...followRows.values()], (chunk) => db.insert(follows).values(chunk).onConflictDoNothing(), "follows", log);

  log?.("Friendships and friend requests");
  const pairs = new Set<string>();
  const friendshipRows: (typeof friendships.$inferInsert)[] = [];
  const requestRows: (typeof friendRequests.$inferInsert)[] = [];
  const [demo, partner] = [created[0], created[CITIES.length]];
  if (demo && partner) {
    const createdAt = new Date(now - 30 * DAY);
    pairs.add(`${demo.id}:${partner.id}`);
    requestRows.push({ senderId: demo.id, receiverId: partner.id, message: "We danced at La Viruta!", status: "accepted", createdAt, respondedAt: createdAt });
    friendshipRows.push(
      { userId: demo.id, friendId: partner.id, closenessScore: 90, createdAt, lastInteractionAt: createdAt },
      { userId: partner.id, friendId: demo.id, closenessScore: 90, createdAt, lastInteractionAt: createdAt },
    );
  }
  for (const user of created) {
    const local = byCity.get(user.city!)!;
    for (const other of random.sample(local, 4)) {
      const [a, b] = [Math.min(user.id, other), Math.max(user.id, other)];
      if (a === b || pairs.has(`${a}:${b}`)) continue;
      pairs.add(`${a}:${b}`);
      const accepted = random.next() < 0.75;
      const createdAt = new Date(now - random.int(1, 400) * DAY);
      requestRows.push({
        senderId: a,
        receiverId: b,
        message: "We danced at the milonga last week!",
        status: accepted ? "accepted" : "pending",
        createdAt,
        respondedAt: accepted ? createdAt : null,
      });
      if (accepted) {
        const closenessScore = random.int(55, 95);
        const lastInteractionAt = new Date(now - random.int(0, 60) * DAY);
        friendshipRows.push(
          { userId: a, friendId: b, closenessScore, createdAt, lastInteractionAt },
          { userId: b, friendId: a, closenessScore, createdAt, lastInteractionAt },
        );
      }
    }
  }
  await insertChunked(requestRows, (chunk) => db.insert(friendRequests).values(chunk).onConflictDoNothing(), "friend requests", log);
  await insertChunked(friendshipRows, (chunk) => db.insert(friendships).values(chunk).onConflictDoNothing(), "friendships", log);

  log?.("Posts");
  const postRows = created.flatMap((user) =>
    Array.from({ length: 3 }, () => {
      const tags = random.sample(HASHTAGS, random.int(1, 3));
      const content = `${random.pick(SENTENCES)} ${tags.map((t) => `#${t}`).join(" ")}`;
      return {
        userId: user.id,
        content,
        plainText: content,
        hashtags: tags,
        location: user.city,
        visibility: random.pick(["public", "public", "public", "friends", "private"]),
        createdAt: new Date(now - random.int(0, 90 * 24) * 3_600_000),
      };
    }),
  );
  await insertChunked(postRows, (chunk) => db.insert(posts).values(chunk), "posts", log);
  // Hashtag pages and trending read post_hashtags, which the posts API keeps in step with
  // posts.hashtags; the demo posts get theirs the same way.
  await db.execute(sql`
    INSERT INTO post_hashtags (post_id, tag, created_at)
    SELECT p.id, tag, p.created_at FROM posts p CROSS JOIN LATERAL unnest(p.hashtags) AS tag
    WHERE p.user_id IN (SELECT id FROM users WHERE email LIKE ${`%@${SEED_EMAIL_DOMAIN}`})
    ON CONFLICT DO NOTHING`);

  log?.("Events and RSVPs");
  const eventRows: (typeof events.$inferInsert)[] = [];
  for (const place of CITIES) {
    const organizers = byCity.get(place.city) ?? [];
    if (!organizers.length) continue;
    for (let week = 0; week < 8; week++) {
      const venue = random.pick(place.venues);
      const start = new Date(now + (week * 7 + random.int(1, 6)) * DAY);
      start.setUTCHours(21, 0, 0, 0);
      eventRows.push(
        {
          userId: random.pick(organizers),
          title: `Milonga at ${venue}`,
          description: `Classic tandas, cortinas and a warm embrace at ${venue}.`,
          eventType: "milonga",
          startDate: start,
          endDate: new Date(start.getTime() + 4 * 3_600_000),
          recurring: "weekly",
          location: venue,
          venue,
          city: place.city,
          country: place.country,
          latitude: String(place.lat + (random.next() - 0.5) / 50),
          longitude: String(place.lng + (random.next() - 0.5) / 50),
          isPaid: true,
          price: String(random.int(8, 20)),
          currency: "EUR",
          maxAttendees: random.int(60, 200),
          tags: ["milonga"],
        },
        {
          userId: random.pick(organizers),
          title: `Practica in ${place.city}`,
          description: "Guided practica: bring your questions.",
          eventType: "practica",
          startDate: new Date(start.getTime() - 2 * DAY),
          location: venue,
          venue,
          city: place.city,
          country: place.country,
          maxAttendees: 40,
          tags: ["practica"],
        },
      );
    }
    const festivalStart = new Date(now + random.int(20, 120) * DAY);
    eventRows.push({
      userId: random.pick(organizers),
      title: `${place.city} Tango Festival`,
      description: "Four days of milongas, workshops and live orchestras.",
      eventType: "festival",
      startDate: festivalStart,
      endDate: new Date(festivalStart.getTime() + 4 * DAY),
      location: place.venues[0],
      venue: place.venues[0],
      city: place.city,
      country: place.country,
      isPaid: true,
      price: "180",
      currency: "EUR",
      maxAttendees: 600,
      tags: ["festival"],
    });
  }
  const createdEvents: { id: number; city: string | null; maxAttendees: number | null }[] = [];
  await insertChunked(
    eventRows,
    async (chunk) =>
      createdEvents.push(
        ...(await db
          .insert(events)
          .values(chunk)
          .returning({ id: events.id, city: events.city, maxAttendees: events.maxAttendees })),
      ),
    "events",
    log,
  );
  const rsvpRows = createdEvents.flatMap((event) => {
    const locals = byCity.get(event.city!) ?? [];
    const count = Math.min(locals.length, event.maxAttendees ?? locals.length, random.int(2, 12));
    return random.sample(locals, count).map((userId) => ({
      eventId: event.id,
      userId,
      status: random.pick(["going", "going", "interested"]),
    }));
  });
  await insertChunked(rsvpRows, (chunk) => db.insert(eventRsvps).values(chunk).onConflictDoNothing(), "rsvps", log);
  // The counters the RSVP statements keep (capacity is checked against them), counted once here.
  await db.execute(sql`
    UPDATE events e SET going_count = c.going, interested_count = c.interested
    FROM (SELECT event_id, count(*) FILTER (WHERE status = 'going')::int AS going,
            count(*) FILTER (WHERE status = 'interested')::int AS interested
          FROM event_rsvps GROUP BY event_id) c
    WHERE c.event_id = e.id`);

  const travel = await seedTravel(db, random, { now, cities: CITIES, byCity, log });
  const admin = await seedAdmin(db, { emailDomain: SEED_EMAIL_DOMAIN, password, log });

  const [domains] = await db.select({ n: sql<number>`count(*)::int` }).from(lifeCeoDomains);
  const sample = await db.select({ username: users.username }).from(users).where(eq(users.id, ids[0]!));
  log?.(`Done. Log in as ${sample[0]?.username ?? "any seeded user"} (or ${DEMO_DANCERS[1]}, a friend) with password "${SEED_PASSWORD}".`);
  return {
    users: created.length,
    follows: followRows.size,
    friendships: friendshipRows.length,
    friendRequests: requestRows.length,
    posts: postRows.length,
    events: createdEvents.length,
    rsvps: rsvpRows.length,
    lifeCeoDomains: domains?.n ?? 0,
    ...travel,
    ...admin,
  };
}
