import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../drizzle/schema";
import { createDb, type Db } from "../../src/lib/db";
import { verifyPassword } from "../../src/lib/password";
import { type NeonLocal, startNeonLocal } from "../neon-local/server";
import { testPostgresUrl } from "./database";
import { migrate } from "./migrate";
import { CITIES, createRandom, DEMO_DANCERS, seed, SEED_EMAIL_DOMAIN, SEED_PASSWORD } from "./seed";
import { SEED_ADMIN_USERNAME } from "./seed-admin";

let local: NeonLocal;
let db: Db;
const database = `seed_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  local = await startNeonLocal({ port: 0, databaseUrl: testPostgresUrl() });
  await local.backend.createDatabase(database);
  const target = { databaseUrl: local.connectionString(database), fetchEndpoint: `${local.url}/sql` };
  await migrate(target);
  db = createDb(target);
});

afterAll(async () => {
  await local.backend.dropDatabase(database);
  await local.close();
});

async function count(query: ReturnType<typeof sql>): Promise<number> {
  const { rows } = await db.execute<{ n: number }>(query);
  return Number(rows[0]!.n);
}

describe("db:seed", () => {
  it("creates dancers in the ten cities, their ties, posts, events and RSVPs, and the 16 domains", async () => {
    const counts = await seed(db, { users: 40, seed: 7 });
    expect(counts.users).toBe(40);
    expect(await count(sql`SELECT count(DISTINCT city) AS n FROM users`)).toBe(CITIES.length);
    expect(await count(sql`SELECT count(*) AS n FROM life_ceo_domains`)).toBe(16);
    expect(await count(sql`SELECT count(DISTINCT event_type) AS n FROM events WHERE event_type IN ('milonga','practica','festival')`)).toBe(3);
    expect(await count(sql`SELECT count(DISTINCT city) AS n FROM events`)).toBe(CITIES.length);
    expect(counts.follows).toBeGreaterThan(40);
    expect(counts.posts).toBe(120);
    // Every demo post's hashtags are indexed for hashtag pages and trending.
    expect(await count(sql`SELECT count(*) AS n FROM post_hashtags`)).toBe(
      await count(sql`SELECT sum(cardinality(hashtags)) AS n FROM posts`),
    );
    expect(counts.rsvps).toBeGreaterThan(0);
    // Friendships come in pairs, one row per direction, each with an accepted request.
    expect(
      await count(sql`SELECT count(*) AS n FROM friendships f
        WHERE NOT EXISTS (SELECT 1 FROM friendships r WHERE r.user_id = f.friend_id AND r.friend_id = f.user_id)`),
    ).toBe(0);
    expect(counts.friendships).toBe(2 * (await count(sql`SELECT count(*) AS n FROM friend_requests WHERE status = 'accepted'`)));
    // The travel world: venues linked from their events, teachers (some visiting elsewhere),
    // listings with an approved stay, volunteers with availability, a task per festival, trips.
    expect(counts.venues).toBe(CITIES.reduce((n, c) => n + c.venues.length, 0));
    expect(await count(sql`SELECT count(*) AS n FROM events WHERE venue_id IS NULL`)).toBe(0);
    expect(counts.teachers).toBe(5);
    expect(await count(sql`SELECT count(*) AS n FROM teacher_locations`)).toBe(3);
    expect(counts.listings).toBe(4);
    expect(await count(sql`SELECT count(*) AS n FROM guest_bookings WHERE status = 'approved'`)).toBe(counts.bookings);
    expect(counts.volunteers).toBe(7);
    expect(await count(sql`SELECT count(DISTINCT volunteer_id) AS n FROM volunteer_availability`)).toBe(7);
    expect(counts.volunteerTasks).toBe(CITIES.length);
    expect(counts.trips).toBe(4);
    // The platform admin: a Super Admin to try the admin routes with, an ESA hierarchy whose
    // division agents report to the board, the active ones' latest health, and a few flags.
    expect(await count(sql`SELECT count(*) AS n FROM users WHERE role = 'super_admin' AND username = ${SEED_ADMIN_USERNAME}`)).toBe(1);
    expect(counts.agents).toBe(9);
    expect(await count(sql`SELECT count(*) AS n FROM esa_agents a JOIN esa_agents p ON p.id = a.parent_agent_id WHERE p.agent_code = 'B1'`)).toBe(2);
    expect(await count(sql`SELECT count(*) AS n FROM agent_health`)).toBe(await count(sql`SELECT count(*) AS n FROM esa_agents WHERE status = 'active'`));
    expect(counts.featureFlags).toBe(4);
    // The two demo dancers of the README, in one city and friends both ways.
    expect(
      await count(sql`SELECT count(*) AS n FROM friendships f JOIN users a ON a.id = f.user_id JOIN users b ON b.id = f.friend_id
        WHERE a.username IN (${DEMO_DANCERS[0]}, ${DEMO_DANCERS[1]}) AND b.username IN (${DEMO_DANCERS[0]}, ${DEMO_DANCERS[1]}) AND a.city = b.city`),
    ).toBe(2);
    // No event has more "going" RSVPs than places.
    expect(
      await count(sql`SELECT count(*) AS n FROM events e WHERE e.max_attendees <
        (SELECT count(*) FROM event_rsvps r WHERE r.event_id = e.id AND r.status = 'going')`),
    ).toBe(0);
  });

  it("gives every demo account the documented password", async () => {
    const [user] = await db.select().from(users).limit(1);
    expect(user!.email.endsWith(`@${SEED_EMAIL_DOMAIN}`)).toBe(true);
    expect(await verifyPassword(SEED_PASSWORD, user!.password)).toBe(true);
  });

  it("replaces its own data on a rerun and leaves other accounts alone", async () => {
    await db.insert(users).values({ email: "real@dancer.example", username: "real_dancer", name: "Real", password: "x" });
    await seed(db, { users: 40, seed: 7 });
    // The 40 dancers and the demo Super Admin; the agents and flags are updated in place, not doubled.
    expect(await count(sql`SELECT count(*) AS n FROM users WHERE email LIKE ${`%@${SEED_EMAIL_DOMAIN}`}`)).toBe(41);
    expect(await count(sql`SELECT count(*) AS n FROM esa_agents`)).toBe(9);
    expect(await count(sql`SELECT count(*) AS n FROM feature_flags`)).toBe(4);
    expect(await count(sql`SELECT count(*) AS n FROM users WHERE username = 'real_dancer'`)).toBe(1);
    expect(await count(sql`SELECT count(*) AS n FROM life_ceo_domains`)).toBe(16);
  });

  it("is deterministic for a given seed", () => {
    const a = createRandom(42);
    const b = createRandom(42);
    expect(Array.from({ length: 5 }, () => a.int(0, 1000))).toEqual(Array.from({ length: 5 }, () => b.int(0, 1000)));
  });
});
