import ICAL from "ical.js";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, calendarFeeds, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createEvent, createGroupWith, createUser, rsvp } from "../../../test/factories";
import { type ApiResponse, useTestDatabase } from "../../../test/harness";
import { utcDay } from "../../../test/zones";
import { sha256Hex } from "../../lib/crypto";
import { foldLine } from "./calendar.ics";

const t = await useTestDatabase();
const DAY = 86_400_000;
const HOST = "app.mundotango.test";

interface ParsedEvent {
  uid: string;
  summary: string;
  description: string;
  location: string;
  start: string;
  end: string | null;
  sequence: number;
  status: string;
  url: string;
  geo: number[] | null;
  categories: string[];
}

/**
 * Checks the raw text against RFC 5545's line rules (CRLF endings, lines of at most 75 octets,
 * continuations starting with a space), then parses it with ical.js.
 */
function parseIcs(res: ApiResponse<string>): ParsedEvent[] {
  expect(res.status, String(res.body).slice(0, 300)).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
  const text = res.body;
  expect(text.endsWith("\r\n")).toBe(true);
  expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
  for (const line of text.split("\r\n").slice(0, -1)) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
  const calendar = new ICAL.Component(ICAL.parse(text));
  expect(calendar.name).toBe("vcalendar");
  expect(calendar.getFirstPropertyValue("version")).toBe("2.0");
  expect(calendar.getFirstPropertyValue("prodid")).toBeTruthy();
  return calendar.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    for (const required of ["uid", "dtstamp", "dtstart"]) expect(vevent.hasProperty(required), required).toBe(true);
    expect(event.startDate.zone?.tzid).toBe("UTC");
    const geo = vevent.getFirstPropertyValue("geo") as number[] | null;
    return {
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      location: event.location,
      start: event.startDate.toJSDate().toISOString(),
      end: vevent.hasProperty("dtend") ? event.endDate.toJSDate().toISOString() : null,
      sequence: event.sequence,
      status: String(vevent.getFirstPropertyValue("status")),
      url: String(vevent.getFirstPropertyValue("url")),
      geo,
      categories: vevent.getAllProperties("categories").flatMap((p) => p.getValues() as string[]),
    };
  });
}

const ics = (eventId: number, token?: string) => t.api.get<string>(`/api/events/${eventId}/calendar.ics`, { token });

describe("GET /api/events/{id}/calendar.ics", () => {
  it("is valid iCalendar with escaped text, folded lines, UTC times and a stable UID", async () => {
    const organizer = await createUser(t.db);
    const description = "Clase a las 20:00; milonga después, con DJ Ñandú \\ orquesta en vivo.\nEntrada: $10, ¡traé tus zapatos! 💃🕺 ".repeat(4).trim();
    const event = await createEvent(t.db, {
      userId: organizer.id,
      title: "Milonga; La Ventana, \"Tango\" \\ Noche",
      description,
      location: "Salón Canning, Scalabrini Ortiz 1331, Palermo",
      latitude: "-34.5875",
      longitude: "-58.4274",
      startDate: new Date("2031-03-06T23:30:00Z"),
      endDate: new Date("2031-03-07T04:00:00Z"),
      tags: ["tradicional", "orquesta, en vivo"],
    });
    const [parsed] = parseIcs(await ics(event.id));
    expect(parsed).toEqual({
      uid: `event-${event.id}@${HOST}`,
      summary: event.title,
      description,
      location: event.location,
      start: "2031-03-06T23:30:00.000Z",
      end: "2031-03-07T04:00:00.000Z",
      sequence: 0,
      status: "CONFIRMED",
      url: `https://${HOST}/events/${event.id}`,
      geo: [-34.5875, -58.4274],
      categories: ["milonga", "tradicional", "orquesta, en vivo"],
    });
    const raw = (await ics(event.id)).body;
    expect(raw).toContain(`DTSTART:20310306T233000Z\r\n`);
    expect(raw).toContain("SUMMARY:Milonga\\; La Ventana\\, \"Tango\" \\\\ Noche\r\n");
  });

  it("keeps the UID, bumps SEQUENCE with each series edit, and says STATUS:CANCELLED once cancelled", async () => {
    const organizer = await signedIn(t);
    const created = await t.api.post("/api/events/series", {
      token: organizer.token,
      json: {
        title: "Práctica", description: "Los martes", eventType: "practica", location: "Club Gricel", timezone: "Europe/Berlin",
        frequency: "weekly", weekday: "tuesday", startTime: "20:00", durationMinutes: 180, startsOn: utcDay(new Date()),
      },
    });
    const occurrence = created.body.upcoming[0] as { id: number; startDate: string };
    const [before] = parseIcs(await ics(occurrence.id));
    expect(before).toMatchObject({ uid: `event-${occurrence.id}@${HOST}`, sequence: 0, start: occurrence.startDate, status: "CONFIRMED" });
    await t.api.patch(`/api/events/series/${created.body.id}`, { token: organizer.token, json: { title: "Práctica nueva" } });
    await t.api.patch(`/api/events/series/${created.body.id}`, { token: organizer.token, json: { startTime: "20:30" } });
    const [edited] = parseIcs(await ics(occurrence.id));
    expect(edited).toMatchObject({ uid: before!.uid, sequence: 2, summary: "Práctica nueva" });
    expect(new Date(edited!.start).getTime() - new Date(before!.start).getTime()).toBe(30 * 60_000);
    await t.api.post(`/api/events/series/${created.body.id}/cancel`, { token: organizer.token });
    const [cancelled] = parseIcs(await ics(occurrence.id));
    expect(cancelled).toMatchObject({ uid: before!.uid, sequence: 3, status: "CANCELLED" });
  });

  it("puts the meeting URL in the description only for dancers going and the organizers", async () => {
    const organizer = await signedIn(t);
    const [going, interested, stranger] = await Promise.all([signedIn(t), signedIn(t), signedIn(t)]);
    const event = await createEvent(t.db, { userId: organizer.user.id, isOnline: true, meetingUrl: "https://meet.example.com/secret-room" });
    await rsvp(t.db, event.id, going.user.id);
    await rsvp(t.db, event.id, interested.user.id, "interested");
    const description = async (token?: string) => parseIcs(await ics(event.id, token))[0]!.description;
    for (const token of [organizer.token, going.token]) expect(await description(token)).toContain("https://meet.example.com/secret-room");
    for (const token of [interested.token, stranger.token, undefined]) expect(await description(token)).not.toContain("secret-room");
  });

  it("is a 404 for an event the caller may not see; its organizer sees a draft as TENTATIVE", async () => {
    const organizer = await signedIn(t);
    const [stranger, blocker, member] = await Promise.all([signedIn(t), signedIn(t), signedIn(t)]);
    const draft = await createEvent(t.db, { userId: organizer.user.id, status: "draft" });
    const published = await createEvent(t.db, { userId: organizer.user.id });
    const hidden = await createEvent(t.db, { userId: organizer.user.id, hiddenAt: new Date() });
    const group = await createGroupWith(t.db, organizer.user.id, "admin", "private");
    await t.db.execute(sql`INSERT INTO group_members (group_id, user_id, role) VALUES (${group.id}, ${member.user.id}, 'member')`);
    const inGroup = await createEvent(t.db, { userId: organizer.user.id, groupId: group.id });
    await t.db.insert(blockedUsers).values({ blockerId: blocker.user.id, blockedId: organizer.user.id });
    expect(parseIcs(await ics(draft.id, organizer.token))[0]!.status).toBe("TENTATIVE");
    for (const [id, token] of [[draft.id, stranger.token], [draft.id, undefined], [hidden.id, stranger.token], [published.id, blocker.token], [inGroup.id, stranger.token], [2_000_000_000, undefined]] as const) {
      const res = await ics(id, token);
      expect(res.status, `${id}`).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
    expect(parseIcs(await ics(inGroup.id, member.token))).toHaveLength(1);
    expect(parseIcs(await ics(published.id, stranger.token))).toHaveLength(1);
  });
});

describe("personal calendar feed", () => {
  const feedPath = (url: string) => new URL(url).pathname;

  it("makes a secret URL (only its hash stored) listing the events its owner is going to, soonest first", async () => {
    const owner = await signedIn(t);
    const organizer = await createUser(t.db);
    const now = Date.now();
    const soon = await createEvent(t.db, { userId: organizer.id, startDate: new Date(now + 2 * DAY) });
    const later = await createEvent(t.db, { userId: organizer.id, startDate: new Date(now + 9 * DAY) });
    const lastWeek = await createEvent(t.db, { userId: organizer.id, startDate: new Date(now - 7 * DAY) });
    const longAgo = await createEvent(t.db, { userId: organizer.id, startDate: new Date(now - 40 * DAY) });
    const cancelled = await createEvent(t.db, { userId: organizer.id, startDate: new Date(now + 5 * DAY), status: "cancelled" });
    const maybe = await createEvent(t.db, { userId: organizer.id, startDate: new Date(now + 3 * DAY) });
    const queued = await createEvent(t.db, { userId: organizer.id, startDate: new Date(now + 4 * DAY) });
    const online = await createEvent(t.db, { userId: organizer.id, startDate: new Date(now + 6 * DAY), isOnline: true, meetingUrl: "https://meet.example.com/feed-room" });
    for (const event of [later, soon, lastWeek, longAgo, cancelled, online]) await rsvp(t.db, event.id, owner.user.id);
    await rsvp(t.db, maybe.id, owner.user.id, "interested");
    await rsvp(t.db, queued.id, owner.user.id, "waitlisted");

    const made = await t.api.post("/api/me/calendar-feed", { token: owner.token });
    expect(made.status).toBe(201);
    const path = feedPath(made.body.url);
    expect(made.body.url).toMatch(/^https:\/\/api\.mundotango\.test\/api\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    const token = path.slice("/api/calendar/".length, -".ics".length);
    const [stored] = await t.db.select().from(calendarFeeds).where(eq(calendarFeeds.userId, owner.user.id));
    expect(stored!.tokenHash).toBe(await sha256Hex(token));
    expect(JSON.stringify(stored)).not.toContain(token);

    const listed = parseIcs(await t.api.get<string>(path));
    expect(listed.map((e) => e.uid)).toEqual([lastWeek, soon, cancelled, online, later].map((e) => `event-${e.id}@${HOST}`));
    expect(listed.find((e) => e.uid.startsWith(`event-${cancelled.id}@`))!.status).toBe("CANCELLED");
    expect(listed.find((e) => e.uid.startsWith(`event-${online.id}@`))!.description).toContain("https://meet.example.com/feed-room");

    // An organizer the owner blocked since: their events leave the feed.
    await t.db.insert(blockedUsers).values({ blockerId: owner.user.id, blockedId: organizer.id });
    expect(parseIcs(await t.api.get<string>(path))).toEqual([]);
  });

  it("rotates: the new URL works and the old one is a 404 at once, even for racing rotations; revoking ends it", async () => {
    const owner = await signedIn(t);
    const first = feedPath((await t.api.post("/api/me/calendar-feed", { token: owner.token })).body.url);
    const second = feedPath((await t.api.post("/api/me/calendar-feed", { token: owner.token })).body.url);
    expect(second).not.toBe(first);
    expect((await t.api.get(first)).status).toBe(404);
    expect((await t.api.get(second)).status).toBe(200);

    const racing = await Promise.all([0, 1, 2].map(() => t.api.post("/api/me/calendar-feed", { token: owner.token })));
    const statuses = await Promise.all(racing.map((res) => t.api.get(feedPath(res.body.url)).then((r) => r.status)));
    expect(statuses.sort()).toEqual([200, 404, 404]);
    expect(await t.db.select().from(calendarFeeds).where(eq(calendarFeeds.userId, owner.user.id))).toHaveLength(1);

    const live = feedPath(racing[statuses.indexOf(200)]!.body.url);
    expect((await t.api.delete("/api/me/calendar-feed", { token: owner.token })).status).toBe(204);
    const gone = await t.api.get(live);
    expect([gone.status, gone.body.code]).toEqual([404, "not_found"]);
    expect((await t.api.delete("/api/me/calendar-feed", { token: owner.token })).status).toBe(204);
  });

  it("is a 404 once its owner is suspended, for an unknown token, and a 4xx problem for a malformed one; sign-in needed to make one", async () => {
    const owner = await signedIn(t);
    const path = feedPath((await t.api.post("/api/me/calendar-feed", { token: owner.token })).body.url);
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, owner.user.id));
    expect((await t.api.get(path)).status).toBe(404);
    expect((await t.api.get(`/api/calendar/${"A".repeat(43)}.ics`)).status).toBe(404);
    for (const bad of ["short.ics", `${"A".repeat(43)}.txt`, "A".repeat(43)]) {
      const res = await t.api.get(`/api/calendar/${bad}`);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
    expect((await t.api.post("/api/me/calendar-feed")).status).toBe(401);
    expect((await t.api.delete("/api/me/calendar-feed")).status).toBe(401);
  });
});

describe("iCalendar line folding", () => {
  it("folds at 75 octets without splitting a character, and unfolds to the same text", () => {
    const line = `DESCRIPTION:${"ñ".repeat(50)}${"💃".repeat(30)}abc`;
    const folded = foldLine(line);
    for (const part of folded.split("\r\n")) expect(new TextEncoder().encode(part).length).toBeLessThanOrEqual(75);
    expect(folded.split("\r\n").slice(1).every((part) => part.startsWith(" "))).toBe(true);
    expect(folded.replace(/\r\n /g, "")).toBe(line);
    expect(foldLine("SHORT:line")).toBe("SHORT:line");
  });
});
