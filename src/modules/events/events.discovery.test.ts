import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { eventCoOrganizers, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { eventVisibilityWorld } from "../../../test/event-world";
import { befriend, createEvent, createGroupWithAdmin, createUser, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { allPages } from "../../../test/pages";
import { encodeCursor } from "../../lib/pagination";
import { boundingBoxes } from "./events.geo";

const t = await useTestDatabase();

type Item = { id: number; startDate: string; distanceKm: number | null; circleGoing: { friends: number; following: number; sample: unknown[] } };

const ids = (pages: { items: { id: number }[] }[]) => pages.flatMap((p) => p.items.map((i) => i.id));
const list = (query: string, token?: string) => allPages<Item>(t.api, `/api/events?${query}`, token);
const day = (n: number) => new Date(Date.UTC(2031, 0, 1) + n * 86_400_000);
/** A city no other test's events are in. */
const city = () => `Ciudad ${unique()}`;
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

async function planOf(statement: ReturnType<typeof sql>) {
  const [, , result] = await t.db.batch([
    t.db.execute(sql`SET LOCAL enable_seqscan = off`),
    t.db.execute(sql`SET LOCAL enable_bitmapscan = off`),
    t.db.execute(sql`EXPLAIN (FORMAT TEXT) ${statement}`),
  ]);
  return (result.rows as { "QUERY PLAN": string }[]).map((r) => r["QUERY PLAN"]).join("\n");
}

describe("who sees what: an event, its co-organizers, listings", () => {
  it("shows each event (and its co-organizers) only to who may see it, as a 404 to others", async () => {
    const world = await eventVisibilityWorld(t, { city: city(), startDate: day(9) });
    for (const viewer of world.viewers) {
      const seen: number[] = [];
      for (const event of world.events.all) {
        const detail = await t.api.get(`/api/events/${event.id}`, { token: viewer.token });
        const coOrganizers = await t.api.get(`/api/events/${event.id}/co-organizers`, { token: viewer.token });
        expect(coOrganizers.status, `${viewer.label} ${event.id}`).toBe(detail.status);
        if (detail.status === 200) {
          seen.push(event.id);
          expect(coOrganizers.body.items.map((c: { id: number }) => c.id)).toEqual([world.co.id]);
        } else {
          expect([detail.status, detail.body.code], viewer.label).toEqual([404, "not_found"]);
        }
      }
      expect(seen, viewer.label).toEqual(viewer.sees);
    }
  });


  it("lists only published events each viewer may see: organizer, co-organizer, group member, stranger, blocked either way, anonymous", async () => {
    const place = city();
    const world = await eventVisibilityWorld(t, { city: place, startDate: day(10) });
    for (const viewer of world.viewers) {
      const pages = await list(`city=${encodeURIComponent(place)}&from=2030-01-01`, viewer.token);
      expect(sorted(ids(pages)), viewer.label).toEqual(viewer.listed);
      const groupPage = await t.api.get(`/api/groups/${world.group.id}/events?from=2030-01-01`, { token: viewer.token });
      if (viewer.inGroup) {
        expect(groupPage.status, viewer.label).toBe(200);
        expect(groupPage.body.items.map((e: { id: number }) => e.id), viewer.label).toEqual([world.events.grouped.id]);
      } else {
        expect(groupPage.status, viewer.label).toBe(404);
      }
    }
  });

  it("stops listing an organizer's events once suspended, and a cancelled event", async () => {
    const place = city();
    const organizer = await createUser(t.db);
    const event = await createEvent(t.db, { userId: organizer.id, city: place, startDate: day(3) });
    const cancelled = await createEvent(t.db, { userId: organizer.id, city: place, startDate: day(4), status: "cancelled" });
    expect(ids(await list(`city=${encodeURIComponent(place)}&from=2030-01-01`))).toEqual([event.id]);
    expect((await t.api.get(`/api/events/${cancelled.id}`)).body.status).toBe("cancelled");
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, organizer.id));
    expect(ids(await list(`city=${encodeURIComponent(place)}&from=2030-01-01`))).toEqual([]);
    expect((await t.api.get(`/api/events/${event.id}`)).status).toBe(404);
  });
});

describe("GET /api/events: order and pages", () => {
  it("lists upcoming events soonest first, equal starts by id, every event once across pages", async () => {
    const place = city();
    const organizer = await createUser(t.db);
    const made = [];
    for (const offset of [5, 1, 3, 3, 3, 2, 8]) made.push(await createEvent(t.db, { userId: organizer.id, city: place, startDate: day(offset) }));
    const expected = [...made].sort((a, b) => a.startDate.getTime() - b.startDate.getTime() || a.id - b.id).map((e) => e.id);
    const pages = await list(`city=${encodeURIComponent(place)}&from=2030-01-01&limit=2`);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 2, 1]);
    expect(ids(pages)).toEqual(expected);
    expect(ids(await list(`city=${encodeURIComponent(place)}&from=2030-01-01&limit=100`))).toEqual(expected);
  });

  it("starts from now by default, and takes a date range", async () => {
    const place = city();
    const organizer = await createUser(t.db);
    const past = await createEvent(t.db, { userId: organizer.id, city: place, startDate: new Date(Date.now() - 3_600_000) });
    const soon = await createEvent(t.db, { userId: organizer.id, city: place, startDate: new Date(Date.now() + 3_600_000) });
    const later = await createEvent(t.db, { userId: organizer.id, city: place, startDate: day(20) });
    const q = `city=${encodeURIComponent(place)}`;
    expect(ids(await list(q))).toEqual([soon.id, later.id]);
    expect(ids(await list(`${q}&from=2000-01-01`))).toEqual([past.id, soon.id, later.id]);
    expect(ids(await list(`${q}&from=2000-01-01&to=${encodeURIComponent(soon.startDate.toISOString())}`))).toEqual([past.id]);
    expect(ids(await list(`${q}&from=2031-01-21T00:00:00Z&to=2031-01-21T00:00:01%2B00:00`))).toEqual([later.id]);
  });

  it.each([
    ["a cursor not ours", "cursor=nope"],
    ["a cursor with a forged time", `cursor=${encodeCursor(["yesterday", 1])}`],
    ["a limit of 0", "limit=0"],
    ["an unknown type", "type=asado"],
    ["near without a longitude", "near=-34.6"],
    ["near off the globe", "near=91,0"],
    ["a radius of 0", "near=0,0&radiusKm=0"],
    ["a radius over 1000 km", "near=0,0&radiusKm=1001"],
    ["a from that is no date", "from=tomorrow"],
    ["a NUL in the city", "city=a%00b"],
    ["a group id that is no id", "groupId=0"],
  ])("refuses %s (400)", async (_label, query) => {
    const res = await t.api.get(`/api/events?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });
});

describe("GET /api/events: filters", () => {
  it("filters by country, type, group and words (accents and case ignored)", async () => {
    const place = city();
    const { user: host, token } = await signedIn(t);
    const group = await createGroupWithAdmin(t.db, host.id);
    const word = `ocho${unique("").replace(/[0-9]/g, (d) => "abcdefghij"[Number(d)]!)}`;
    const at = { userId: host.id, city: place };
    const milonga = await createEvent(t.db, { ...at, country: "Uruguay", startDate: day(1), title: `La Milongá ${word}` });
    const practica = await createEvent(t.db, { ...at, country: "Uruguay", startDate: day(2), eventType: "practica", title: "Práctica", groupId: group.id });
    const festival = await createEvent(t.db, { ...at, country: "Chile", startDate: day(3), eventType: "festival", title: "Festival", description: `Con ${word}` });
    const q = `city=${encodeURIComponent(place)}&from=2030-01-01`;
    expect(ids(await list(`${q}&country=Uruguay`))).toEqual([milonga.id, practica.id]);
    expect(ids(await list(`${q}&type=practica`))).toEqual([practica.id]);
    expect(ids(await list(`${q}&groupId=${group.id}`, token))).toEqual([practica.id]);
    expect(ids(await list(`from=2030-01-01&q=${encodeURIComponent(`MILONGA ${word}`)}`))).toEqual([milonga.id]);
    expect(ids(await list(`from=2030-01-01&q=${word}`))).toEqual([milonga.id, festival.id]);
    expect(ids(await list(`from=2030-01-01&q=${encodeURIComponent("!!!")}`))).toEqual([]);
  });

  it("finds events near a place within the radius, by exact distance, each with its distance", async () => {
    const place = city();
    const organizer = await createUser(t.db);
    const at = (lat: string, lng: string, offset: number) =>
      createEvent(t.db, { userId: organizer.id, city: place, latitude: lat, longitude: lng, startDate: day(offset) });
    // Around the Obelisco (-34.6037, -58.3816).
    const canning = await at("-34.5889", "-58.4305", 1); // ~4.8 km
    const tigre = await at("-34.4264", "-58.5797", 2); // ~27 km
    await at("-34.9214", "-57.9544", 3); // La Plata, ~52 km
    // In the bounding box's corner but outside the circle: ~25 km east and ~25 km north, ~35 km away.
    await at("-34.3789", "-58.1090", 4);
    await createEvent(t.db, { userId: organizer.id, city: place, startDate: day(5) });
    const near = (radius: number) => list(`city=${encodeURIComponent(place)}&from=2030-01-01&near=-34.6037,-58.3816&radiusKm=${radius}`);
    const within30 = (await near(30)).flatMap((p) => p.items);
    expect(within30.map((e) => e.id)).toEqual([canning.id, tigre.id]);
    expect(within30[0]!.distanceKm).toBeCloseTo(4.8, 0);
    expect(within30[1]!.distanceKm).toBeCloseTo(27, 0);
    expect(ids(await near(5))).toEqual([canning.id]);
    expect(ids(await near(1))).toEqual([]);
    // Without `near`, no distance.
    expect((await list(`city=${encodeURIComponent(place)}&from=2030-01-01`))[0]!.items[0]!.distanceKm).toBeNull();
  });

  it("finds events across the antimeridian and around a pole", async () => {
    const place = city();
    const organizer = await createUser(t.db);
    const fiji = await createEvent(t.db, { userId: organizer.id, city: place, latitude: "-17.7", longitude: "179.9", startDate: day(1) });
    const samoa = await createEvent(t.db, { userId: organizer.id, city: place, latitude: "-17.7", longitude: "-179.9", startDate: day(2) });
    const pole = await createEvent(t.db, { userId: organizer.id, city: place, latitude: "89.95", longitude: "100", startDate: day(3) });
    const q = `city=${encodeURIComponent(place)}&from=2030-01-01`;
    expect(ids(await list(`${q}&near=-17.7,180&radiusKm=50`))).toEqual([fiji.id, samoa.id]);
    expect(ids(await list(`${q}&near=-17.7,-179.95&radiusKm=20`))).toEqual([fiji.id, samoa.id]);
    expect(ids(await list(`${q}&near=89.99,-80&radiusKm=50`))).toEqual([pole.id]);
  });

  it("reads a city's events in date order from events_city_start_idx, places from events_geo_idx, upcoming events from events_upcoming_idx", async () => {
    const byCity = await planOf(sql`SELECT e.id FROM events e WHERE e.city = 'Buenos Aires' AND e.start_date >= now() ORDER BY e.start_date LIMIT 21`);
    expect(byCity).toContain("events_city_start_idx");
    const byPlace = await planOf(sql`SELECT e.id FROM events e WHERE e.geo <@ box(point(-58.6, -34.8), point(-58.1, -34.4))`);
    expect(byPlace).toContain("events_geo_idx");
    const upcoming = await planOf(sql`SELECT e.id FROM events e WHERE e.status = 'published' AND e.hidden_at IS NULL
      AND e.start_date >= now() ORDER BY e.start_date, e.id LIMIT 21`);
    expect(upcoming).toContain("events_upcoming_idx");
  });
});

describe("GET /api/events: friends and follows going", () => {
  it("marks each event with the viewer's friends and follows going (counts and up to 3 cards)", async () => {
    const place = city();
    const { user: me, token } = await signedIn(t);
    const organizer = await createUser(t.db);
    const popular = await createEvent(t.db, { userId: organizer.id, city: place, startDate: day(1) });
    const quiet = await createEvent(t.db, { userId: organizer.id, city: place, startDate: day(2) });
    const friends = await Promise.all(Array.from({ length: 4 }, () => createUser(t.db)));
    for (const [i, friend] of friends.entries()) {
      await befriend(t.db, me.id, friend.id, { closenessScore: 90 - i });
      await t.db.execute(sql`INSERT INTO event_rsvps (event_id, user_id, status) VALUES (${popular.id}, ${friend.id}, 'going')`);
    }
    const followed = await createUser(t.db);
    await t.db.execute(sql`INSERT INTO follows (follower_id, following_id) VALUES (${me.id}, ${followed.id})`);
    await t.db.execute(sql`INSERT INTO event_rsvps (event_id, user_id, status) VALUES (${quiet.id}, ${followed.id}, 'going')`);
    const [page] = await list(`city=${encodeURIComponent(place)}&from=2030-01-01`, token);
    const card = (u: typeof me) => ({ id: u.id, username: u.username, name: u.name, profileImage: null });
    expect(page!.items.map((e) => e.circleGoing)).toEqual([
      { friends: 4, following: 0, sample: friends.slice(0, 3).map(card) },
      { friends: 0, following: 1, sample: [card(followed)] },
    ]);
    const [anonymous] = await list(`city=${encodeURIComponent(place)}&from=2030-01-01`);
    expect(anonymous!.items.map((e) => e.circleGoing.friends)).toEqual([0, 0]);
  });
});

describe("GET /api/groups/{id}/events", () => {
  it("lists a group's events soonest first by cursor; 404 for a group that does not exist or is hidden", async () => {
    const { user: admin } = await signedIn(t);
    const group = await createGroupWithAdmin(t.db, admin.id);
    const made = [];
    for (const offset of [4, 2, 6]) made.push(await createEvent(t.db, { userId: admin.id, groupId: group.id, startDate: day(offset) }));
    await createEvent(t.db, { userId: admin.id, startDate: day(3) });
    const pages = await allPages<Item>(t.api, `/api/groups/${group.id}/events?from=2030-01-01&limit=2`);
    expect(ids(pages)).toEqual([made[1]!.id, made[0]!.id, made[2]!.id]);
    expect(ids(await allPages(t.api, `/api/groups/${group.id}/events?from=2031-01-04&to=2031-01-06`))).toEqual([made[0]!.id]);
    expect((await t.api.get("/api/groups/2147483647/events")).status).toBe(404);
    const hidden = await createGroupWithAdmin(t.db, admin.id, { hiddenAt: new Date() });
    expect((await t.api.get(`/api/groups/${hidden.id}/events`)).status).toBe(404);
  });

  it("shows a private group's events to its active members only (a pending one is not a member)", async () => {
    const [admin, member, pending, outsider] = await Promise.all([signedIn(t), signedIn(t), signedIn(t), signedIn(t)]);
    const group = await createGroupWithAdmin(t.db, admin.user.id, {
      type: "private",
      members: [{ userId: member.user.id }, { userId: pending.user.id, status: "pending" }],
    });
    const event = await createEvent(t.db, { userId: admin.user.id, groupId: group.id, startDate: day(1) });
    const path = `/api/groups/${group.id}/events?from=2030-01-01`;
    expect((await t.api.get(path, { token: member.token })).body.items.map((e: { id: number }) => e.id)).toEqual([event.id]);
    for (const who of [pending.token, outsider.token, undefined]) expect((await t.api.get(path, { token: who })).status).toBe(404);
    expect((await t.api.get(`/api/events/${event.id}`, { token: outsider.token })).status).toBe(404);
    // A co-organizer who is not a member sees the event, not the group's page.
    await t.db.insert(eventCoOrganizers).values({ eventId: event.id, userId: outsider.user.id });
    expect((await t.api.get(`/api/events/${event.id}`, { token: outsider.token })).status).toBe(200);
  });
});

describe("boundingBoxes", () => {
  it("spans the radius north and south, wider in longitude away from the equator", () => {
    const [box] = boundingBoxes({ lat: 0, lng: 0 }, 111.195);
    expect(box![1]).toBeCloseTo(-1, 3);
    expect(box![3]).toBeCloseTo(1, 3);
    expect(box![2]).toBeCloseTo(1, 3);
    const [north] = boundingBoxes({ lat: 60, lng: 10 }, 111.195);
    expect(north![2] - 10).toBeCloseTo(2, 1);
  });

  it("splits at the antimeridian and takes every longitude around a pole", () => {
    expect(boundingBoxes({ lat: 0, lng: 179.9 }, 50)).toHaveLength(2);
    expect(boundingBoxes({ lat: 0, lng: -179.9 }, 50)).toHaveLength(2);
    const [polar] = boundingBoxes({ lat: 89.9, lng: 0 }, 50);
    expect(polar).toEqual([-180, expect.any(Number), 180, 90]);
  });
});
