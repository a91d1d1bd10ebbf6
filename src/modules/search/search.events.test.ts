import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { eventVisibilityWorld } from "../../../test/event-world";
import { createEvent, createUser, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { allPages } from "../../../test/pages";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

/** A word no other event in this file contains (letters only: it must stay one lexeme). */
const word = () => `vals${unique("").replace(/[0-9]/g, (d) => "abcdefghij"[Number(d)]!)}`;

const found = async (q: string, token?: string) =>
  (await allPages<{ id: number }>(t.api, `/api/search?type=events&q=${encodeURIComponent(q)}`, token)).flatMap((p) => p.items.map((i) => i.id));

describe("GET /api/search?type=events", () => {
  it("finds only the events each viewer may see: organizer, co-organizer, group member, stranger, blocked either way, anonymous", async () => {
    const w = word();
    const world = await eventVisibilityWorld(t, { title: `Milonga ${w}` });
    for (const viewer of world.viewers) {
      const res = await t.api.get(`/api/search?type=events&q=${w}`, { token: viewer.token });
      expect(res.status, viewer.label).toBe(200);
      expect(res.body.type).toBe("events");
      expect(res.body.items.map((e: { id: number }) => e.id).sort((a: number, b: number) => a - b), viewer.label).toEqual(viewer.sees);
    }
  });

  it("searches title, venue, city and description, accents and case ignored, past and cancelled events too", async () => {
    const organizer = await createUser(t.db);
    const w = word();
    const byTitle = await createEvent(t.db, { userId: organizer.id, title: `Milongá ${w}` });
    const byVenue = await createEvent(t.db, { userId: organizer.id, title: "Noche", venue: `Salón ${w}` });
    const byDescription = await createEvent(t.db, {
      userId: organizer.id,
      title: "Otra",
      description: `Con ${w} y orquesta`,
      startDate: new Date("2020-01-01T21:00:00Z"),
      status: "cancelled",
    });
    expect(await found(`MILONGA ${w}`)).toEqual([byTitle.id]);
    expect(await found(`salon ${w}`)).toEqual([byVenue.id]);
    expect((await found(w)).sort((a, b) => a - b)).toEqual([byTitle.id, byVenue.id, byDescription.id]);
    expect(await found(`${w} -orquesta -salon`)).toEqual([byTitle.id]);
  });

  it("ranks the title above the place above the description, equal ranks newest first, every event once across pages", async () => {
    const organizer = await createUser(t.db);
    const w = word();
    const inDescription = await createEvent(t.db, { userId: organizer.id, title: "Uno", description: `Hoy ${w}` });
    const inCity = await createEvent(t.db, { userId: organizer.id, title: "Dos", city: `${w}` });
    const equal = [];
    for (let i = 0; i < 3; i++) equal.push(await createEvent(t.db, { userId: organizer.id, title: `Práctica ${w}` }));
    const pages = await allPages<{ id: number }>(t.api, `/api/search?type=events&q=${w}&limit=2`);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.items.map((i) => i.id))).toEqual([...equal.map((e) => e.id).reverse(), inCity.id, inDescription.id]);
  });

  it("answers each result as an event card", async () => {
    const organizer = await createUser(t.db);
    const w = word();
    const event = await createEvent(t.db, { userId: organizer.id, title: `Encuentro ${w}` });
    const res = await t.api.get(`/api/search?type=events&q=${w}`);
    const detail = (await t.api.get(`/api/events/${event.id}`)).body;
    const { rating: _rating, ...card } = detail;
    expect(res.body.items).toEqual([card]);
  });

  it("refuses a forged cursor (400) and finds nothing for punctuation", async () => {
    for (const cursor of ["nope", encodeCursor([0.5, 3]), encodeCursor(["0.5"])]) {
      const res = await t.api.get(`/api/search?type=events&q=tango&cursor=${encodeURIComponent(cursor)}`);
      expect(res.status).toBe(400);
    }
    expect((await t.api.get("/api/search?type=events&q=%21%21")).body).toEqual({ type: "events", items: [], nextCursor: null });
  });

  it("finds matches through the GIN index events_search_idx", async () => {
    const [, result] = await t.db.batch([
      t.db.execute(sql`SET LOCAL enable_seqscan = off`),
      t.db.execute(sql`EXPLAIN (FORMAT TEXT) SELECT e.id FROM websearch_to_tsquery('simple', mt_unaccent('milonga')) query
        JOIN events e ON e.search_vector @@ query`),
    ]);
    expect((result.rows as { "QUERY PLAN": string }[]).map((r) => r["QUERY PLAN"]).join("\n")).toContain("events_search_idx");
  });
});
