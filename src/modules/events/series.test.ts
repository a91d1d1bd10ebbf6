import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, emailQueue, eventRsvps, eventSeries, eventTickets, events, notifications, userSettings, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createEvent, createGroupWith, createUser, mediaUrl, rsvp, unique } from "../../../test/factories";
import { testCtx, useTestDatabase } from "../../../test/harness";
import { utcDay, wallClock } from "../../../test/zones";
import { extendSeriesWindows, SERIES_WINDOW_DAYS } from "./series.service";

const t = await useTestDatabase();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BA = "America/Argentina/Buenos_Aires";

const seriesBody = (overrides: Record<string, unknown> = {}) => ({
  title: `Milonga del Jueves ${unique()}`,
  description: "Tango, every Thursday",
  eventType: "milonga",
  location: "Salon Canning, Scalabrini Ortiz 1331",
  city: "Buenos Aires",
  country: "Argentina",
  timezone: BA,
  frequency: "weekly",
  weekday: "thursday",
  startTime: "21:00",
  durationMinutes: 240,
  startsOn: utcDay(new Date()),
  ...overrides,
});

async function createVia(token: string, overrides: Record<string, unknown> = {}) {
  const res = await t.api.post("/api/events/series", { token, json: seriesBody(overrides) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number; upcoming: { id: number; occurrenceOn: string; startDate: string; sequence: number }[]; [key: string]: unknown };
}

const occurrencesOf = (seriesId: number) => t.db.select().from(events).where(eq(events.seriesId, seriesId)).orderBy(asc(events.occurrenceOn));

/** A past occurrence, a detached one and a cancelled one, besides those the create made (as part A and the past leave them). */
async function oddOccurrences(series: { id: number; userId: number }, title: string) {
  const past = await createEvent(t.db, { userId: series.userId, seriesId: series.id, occurrenceOn: "2020-01-02", title, startDate: new Date(Date.now() - 30 * DAY) });
  const rows = await occurrencesOf(series.id);
  const future = rows.filter((row) => row.startDate > new Date());
  await t.db.update(events).set({ detached: true }).where(eq(events.id, future[0]!.id));
  await t.db.update(events).set({ status: "cancelled", cancelledAt: new Date() }).where(eq(events.id, future[1]!.id));
  return { past, detached: future[0]!, cancelled: future[1]!, plain: future.slice(2) };
}

describe("POST /api/events/series", () => {
  it("makes an occurrence for each Thursday of the next 90 days, each at 21:00 in Buenos Aires, none in the past", async () => {
    const { user, token } = await signedIn(t);
    const startsOn = utcDay(new Date(), -20);
    const series = await createVia(token, { startsOn, maxAttendees: 40, maxLeaders: 20, maxFollowers: 20, tags: ["tradicional"] });
    const rows = await occurrencesOf(series.id);
    const now = Date.now();
    const horizon = utcDay(new Date(), SERIES_WINDOW_DAYS);
    // Thursdays from today (or tomorrow's UTC date, for a Thursday 21:00 that has passed) to the window's end.
    expect(rows.length).toBeGreaterThanOrEqual(12);
    expect(rows.length).toBeLessThanOrEqual(14);
    for (const row of rows) {
      expect(row.startDate.getTime()).toBeGreaterThan(now);
      expect(row.occurrenceOn! <= horizon).toBe(true);
      expect(wallClock(row.startDate, BA)).toBe(`${row.occurrenceOn} 21:00`);
      expect(new Date(`${row.occurrenceOn}T12:00:00Z`).getUTCDay()).toBe(4);
      expect(row.endDate!.getTime() - row.startDate.getTime()).toBe(240 * 60_000);
      expect(row).toMatchObject({ userId: user.id, title: series.title, status: "published", timezone: BA, recurring: "weekly", maxAttendees: 40, maxLeaders: 20, tags: ["tradicional"], detached: false, sequence: 0 });
    }
    const gaps = rows.slice(1).map((row, i) => (row.startDate.getTime() - rows[i]!.startDate.getTime()) / DAY);
    expect(new Set(gaps)).toEqual(new Set([7]));
    expect(series).toMatchObject({ organizer: { id: user.id }, isOrganizer: true, weekday: "thursday", weekOfMonth: null, startsOn, materializedUntil: horizon, sequence: 0 });
    expect(series.upcoming.map((o) => o.id)).toEqual(rows.slice(0, 20).map((row) => row.id));
  });

  it("makes a monthly series on the last Friday, and a draft series' occurrences drafts", async () => {
    const { token } = await signedIn(t);
    const series = await createVia(token, { frequency: "monthly", weekday: "friday", weekOfMonth: "last", status: "draft", timezone: "Europe/Berlin", startTime: "20:30" });
    const rows = await occurrencesOf(series.id);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) {
      const day = new Date(`${row.occurrenceOn}T12:00:00Z`);
      expect(day.getUTCDay()).toBe(5);
      expect(new Date(day.getTime() + 7 * DAY).getUTCMonth()).not.toBe(day.getUTCMonth());
      expect(wallClock(row.startDate, "Europe/Berlin")).toBe(`${row.occurrenceOn} 20:30`);
      expect(row.status).toBe("draft");
    }
    expect(series).toMatchObject({ frequency: "monthly", weekOfMonth: "last", status: "draft" });
  });

  it("replays a repeat with the same Idempotency-Key, even racing, and refuses the key with another body", async () => {
    const { user, token } = await signedIn(t);
    const key = unique("key");
    const json = seriesBody();
    const [a, b] = await Promise.all([0, 1].map(() => t.api.post("/api/events/series", { token, json, headers: { "idempotency-key": key } })));
    expect([a!.status, b!.status]).toEqual([201, 201]);
    expect(a!.body.id).toBe(b!.body.id);
    expect([a!.headers.get("idempotent-replayed"), b!.headers.get("idempotent-replayed")].sort()).toEqual([null, "true"]);
    expect(await t.db.select().from(eventSeries).where(eq(eventSeries.userId, user.id))).toHaveLength(1);
    const other = await t.api.post("/api/events/series", { token, json: { ...json, title: "Another" }, headers: { "idempotency-key": key } });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe("idempotency_key_reused");
  });

  it("refuses bad input with a 400 problem naming the field, and writes nothing", async () => {
    const { user, token } = await signedIn(t);
    const cases: [Record<string, unknown>, string][] = [
      [{ eventType: "rave" }, "body.eventType"],
      [{ frequency: "monthly" }, "body.weekOfMonth"],
      [{ weekOfMonth: "first" }, "body.weekOfMonth"],
      [{ timezone: "+03:00" }, "body.timezone"],
      [{ timezone: "Mars/Olympus" }, "body.timezone"],
      [{ startTime: "25:00" }, "body.startTime"],
      [{ startTime: "9:00" }, "body.startTime"],
      [{ startsOn: "2026-02-30" }, "body.startsOn"],
      [{ until: utcDay(new Date(), -1) }, "body.until"],
      [{ latitude: -34.6 }, "body.longitude"],
      [{ latitude: 91, longitude: 0 }, "body.latitude"],
      [{ longitude: -181, latitude: 0 }, "body.longitude"],
      [{ price: "15.00" }, "body.currency"],
      [{ maxAttendees: 10, maxLeaders: 11 }, "body.maxLeaders"],
      [{ interval: 13 }, "body.interval"],
      [{ durationMinutes: 0 }, "body.durationMinutes"],
      [{ weekday: 4 }, "body.weekday"],
    ];
    for (const [overrides, path] of cases) {
      const res = await t.api.post("/api/events/series", { token, json: seriesBody(overrides) });
      expect(res.status, JSON.stringify(overrides)).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(res.body.errors.map((e: { path: string }) => e.path), JSON.stringify(overrides)).toContain(path);
    }
    const foreign = await t.api.post("/api/events/series", { token, json: seriesBody({ imageUrl: "https://example.com/cover.jpg" }) });
    expect([foreign.status, foreign.body.code]).toEqual([400, "media_url_not_allowed"]);
    expect(await t.db.select().from(eventSeries).where(eq(eventSeries.userId, user.id))).toEqual([]);
    expect(await t.db.select().from(events).where(eq(events.userId, user.id))).toEqual([]);
    const own = await createVia(token, { imageUrl: mediaUrl(t.env) });
    expect(own.imageUrl).toMatch(/^https?:\/\//);
  });

  it("hosts a series in a group only for its admins and moderators", async () => {
    const [admin, moderator, member] = await Promise.all([signedIn(t), signedIn(t), signedIn(t)]);
    const group = await createGroupWith(t.db, admin.user.id, "admin");
    const modGroup = await createGroupWith(t.db, moderator.user.id, "moderator");
    const memberGroup = await createGroupWith(t.db, member.user.id, "member");
    const hosted = await createVia(admin.token, { groupId: group.id });
    expect(hosted.groupId).toBe(group.id);
    expect((await occurrencesOf(hosted.id)).every((row) => row.groupId === group.id)).toBe(true);
    await createVia(moderator.token, { groupId: modGroup.id });
    for (const groupId of [memberGroup.id, group.id, 2_000_000_000]) {
      const res = await t.api.post("/api/events/series", { token: member.token, json: seriesBody({ groupId }) });
      expect([res.status, res.body.code]).toEqual([403, "not_group_host"]);
    }
    expect(await t.db.select().from(eventSeries).where(eq(eventSeries.userId, member.user.id))).toEqual([]);
  });

  it("refuses an anonymous caller", async () => {
    const res = await t.api.post("/api/events/series", { json: seriesBody() });
    expect(res.status).toBe(401);
  });
});

describe("GET /api/events/series/{id}", () => {
  it("shows a published series to anyone, with its next occurrences, and the meeting URL to its organizer only", async () => {
    const organizer = await signedIn(t);
    const series = await createVia(organizer.token, { isOnline: true, meetingUrl: "https://meet.example.com/milonga" });
    const rows = await occurrencesOf(series.id);
    await t.db.update(events).set({ hiddenAt: new Date() }).where(eq(events.id, rows[1]!.id));
    const stranger = await signedIn(t);
    for (const token of [stranger.token, undefined]) {
      const res = await t.api.get(`/api/events/series/${series.id}`, { token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: series.id, meetingUrl: null, isOrganizer: false });
      // The occurrence hidden by moderation is left out for others.
      expect(res.body.upcoming.map((o: { id: number }) => o.id)).toEqual(rows.filter((_, i) => i !== 1).slice(0, 20).map((row) => row.id));
    }
    const own = await t.api.get(`/api/events/series/${series.id}`, { token: organizer.token });
    expect(own.body).toMatchObject({ meetingUrl: "https://meet.example.com/milonga", isOrganizer: true });
    expect(own.body.upcoming[1].id).toBe(rows[1]!.id);
  });

  it("is a 404 for a draft of someone else, across a block either way, for a suspended organizer, and for a private group's outsiders", async () => {
    const organizer = await signedIn(t);
    const [stranger, blocker, blocked, member] = await Promise.all([signedIn(t), signedIn(t), signedIn(t), signedIn(t)]);
    const draft = await createVia(organizer.token, { status: "draft" });
    const published = await createVia(organizer.token);
    await t.db.insert(blockedUsers).values([
      { blockerId: blocker.user.id, blockedId: organizer.user.id },
      { blockerId: organizer.user.id, blockedId: blocked.user.id },
    ]);
    const status = async (id: number, token?: string) => (await t.api.get(`/api/events/series/${id}`, { token })).status;
    expect(await status(draft.id, organizer.token)).toBe(200);
    expect(await status(draft.id, stranger.token)).toBe(404);
    expect(await status(draft.id)).toBe(404);
    expect(await status(published.id, blocker.token)).toBe(404);
    expect(await status(published.id, blocked.token)).toBe(404);
    expect(await status(published.id, stranger.token)).toBe(200);

    const host = await signedIn(t);
    const group = await createGroupWith(t.db, host.user.id, "admin", "private");
    await t.db.execute(sql`INSERT INTO group_members (group_id, user_id, role) VALUES (${group.id}, ${member.user.id}, 'member')`);
    const privateSeries = await createVia(host.token, { groupId: group.id });
    expect(await status(privateSeries.id, member.token)).toBe(200);
    expect(await status(privateSeries.id, stranger.token)).toBe(404);
    expect(await status(privateSeries.id)).toBe(404);

    await t.db.update(users).set({ suspended: true }).where(eq(users.id, organizer.user.id));
    expect(await status(published.id, stranger.token)).toBe(404);
    expect(await status(2_000_000_000, stranger.token)).toBe(404);
  });
});

describe("PATCH /api/events/series/{id}", () => {
  it("raising the capacity promotes each future occurrence's waitlist, first in line first, and answers the new counts", async () => {
    const organizer = await signedIn(t);
    const series = await createVia(organizer.token, { maxAttendees: 1 });
    const [first, second] = series.upcoming;
    const dancers = await Promise.all(Array.from({ length: 3 }, () => signedIn(t)));
    for (const occurrence of [first!, second!]) {
      for (const d of dancers) {
        const res = await t.api.post(`/api/events/${occurrence.id}/rsvp`, { token: d.token, json: { status: "going" } });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      }
    }
    const res = await t.api.patch(`/api/events/series/${series.id}`, { token: organizer.token, json: { maxAttendees: 2 } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    for (const occurrence of [first!, second!]) {
      const statuses = await t.db.select({ userId: eventRsvps.userId, status: eventRsvps.status }).from(eventRsvps).where(eq(eventRsvps.eventId, occurrence.id));
      const byUser = new Map(statuses.map((r) => [r.userId, r.status]));
      expect(dancers.map((d) => byUser.get(d.user.id))).toEqual(["going", "going", "waitlisted"]);
      const [row] = await t.db.select().from(events).where(eq(events.id, occurrence.id));
      expect([row!.maxAttendees, row!.goingCount, row!.waitlistCount]).toEqual([2, 2, 1]);
    }
    const promoted = await t.db.select().from(notifications).where(and(eq(notifications.userId, dancers[1]!.user.id), eq(notifications.type, "event_waitlist_promoted")));
    expect(promoted.length).toBeGreaterThanOrEqual(1);
  });

  it("changes the series and its future occurrences not edited alone, bumping their sequence; past, detached and cancelled ones stay", async () => {
    const organizer = await signedIn(t);
    const series = await createVia(organizer.token, { maxAttendees: 30 });
    const odd = await oddOccurrences({ id: series.id, userId: organizer.user.id }, series.title as string);
    const res = await t.api.patch(`/api/events/series/${series.id}`, {
      token: organizer.token,
      json: { title: "Milonga renovada", maxAttendees: 50, tags: ["nueva"], latitude: -34.5875, longitude: -58.4274, venue: null },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ title: "Milonga renovada", maxAttendees: 50, tags: ["nueva"], latitude: -34.5875, longitude: -58.4274, sequence: 1 });
    const rows = new Map((await occurrencesOf(series.id)).map((row) => [row.id, row]));
    for (const plain of odd.plain) {
      expect(rows.get(plain.id)).toMatchObject({ title: "Milonga renovada", maxAttendees: 50, tags: ["nueva"], latitude: "-34.587500", sequence: 1 });
      expect(rows.get(plain.id)!.updatedAt!.getTime()).toBeGreaterThan(plain.updatedAt!.getTime() - 1);
    }
    for (const untouched of [odd.past, odd.detached, odd.cancelled]) {
      expect(rows.get(untouched.id)).toMatchObject({ title: untouched.title, maxAttendees: untouched.maxAttendees, sequence: 0 });
    }
    expect(res.body.upcoming.find((o: { id: number }) => o.id === odd.plain[0]!.id)).toMatchObject({ sequence: 1 });
  });

  it("moves future occurrences to a new local start time and length, in the series' zone", async () => {
    const organizer = await signedIn(t);
    const series = await createVia(organizer.token, { timezone: "Europe/Berlin" });
    const before = await occurrencesOf(series.id);
    const res = await t.api.patch(`/api/events/series/${series.id}`, { token: organizer.token, json: { startTime: "19:45", durationMinutes: 180 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ startTime: "19:45", durationMinutes: 180 });
    const after = await occurrencesOf(series.id);
    expect(after.map((row) => row.occurrenceOn)).toEqual(before.map((row) => row.occurrenceOn));
    for (const row of after) {
      expect(wallClock(row.startDate, "Europe/Berlin")).toBe(`${row.occurrenceOn} 19:45`);
      expect(row.endDate!.getTime() - row.startDate.getTime()).toBe(180 * 60_000);
      expect(row.sequence).toBe(1);
    }
  });

  it("changes nothing for an edit that names no field (still refusing others)", async () => {
    const organizer = await signedIn(t);
    const other = await signedIn(t);
    const series = await createVia(organizer.token);
    const before = await occurrencesOf(series.id);
    const res = await t.api.patch(`/api/events/series/${series.id}`, { token: organizer.token, json: {} });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: series.id, sequence: 0, title: series.title });
    expect(await occurrencesOf(series.id)).toEqual(before);
    expect((await t.api.patch(`/api/events/series/${series.id}`, { token: other.token, json: {} })).status).toBe(403);
  });

  it("publishes a draft series and its occurrences", async () => {
    const organizer = await signedIn(t);
    const series = await createVia(organizer.token, { status: "draft" });
    const res = await t.api.patch(`/api/events/series/${series.id}`, { token: organizer.token, json: { status: "published" } });
    expect(res.body.status).toBe("published");
    expect(new Set((await occurrencesOf(series.id)).map((row) => row.status))).toEqual(new Set(["published"]));
    const stranger = await signedIn(t);
    expect((await t.api.get(`/api/events/series/${series.id}`, { token: stranger.token })).status).toBe(200);
  });

  it("refuses a capacity under the number going on an occurrence (409), changing nothing", async () => {
    const organizer = await signedIn(t);
    const series = await createVia(organizer.token, { maxAttendees: 10 });
    const [first] = await occurrencesOf(series.id);
    for (let i = 0; i < 3; i++) await rsvp(t.db, first!.id, (await createUser(t.db)).id);
    const res = await t.api.patch(`/api/events/series/${series.id}`, { token: organizer.token, json: { maxAttendees: 2, title: "Smaller" } });
    expect([res.status, res.body.code]).toEqual([409, "capacity_below_going"]);
    expect((await t.db.select().from(eventSeries).where(eq(eventSeries.id, series.id)))[0]).toMatchObject({ maxAttendees: 10, sequence: 0 });
    expect(new Set((await occurrencesOf(series.id)).map((row) => row.maxAttendees))).toEqual(new Set([10]));
    expect((await t.api.patch(`/api/events/series/${series.id}`, { token: organizer.token, json: { maxAttendees: 3 } })).status).toBe(200);
  });

  it("is the organizer's only: 403 for another dancer, 404 for a draft they may not see, 401 anonymous, 409 once cancelled", async () => {
    const organizer = await signedIn(t);
    const other = await signedIn(t);
    const series = await createVia(organizer.token);
    const draft = await createVia(organizer.token, { status: "draft" });
    const edit = (id: number, token?: string) => t.api.patch(`/api/events/series/${id}`, { token, json: { title: "Mine now" } });
    const refused = await edit(series.id, other.token);
    expect([refused.status, refused.body.code]).toEqual([403, "not_series_organizer"]);
    expect((await edit(draft.id, other.token)).status).toBe(404);
    expect((await edit(series.id)).status).toBe(401);
    expect((await t.db.select().from(eventSeries).where(eq(eventSeries.id, series.id)))[0]!.title).toBe(series.title);
    await t.api.post(`/api/events/series/${series.id}/cancel`, { token: organizer.token });
    const late = await edit(series.id, organizer.token);
    expect([late.status, late.body.code]).toEqual([409, "series_cancelled"]);
  });

  it("applies racing edits one after the other: the series and all its future occurrences end alike", async () => {
    const organizer = await signedIn(t);
    const series = await createVia(organizer.token);
    const titles = ["Primera", "Segunda", "Tercera", "Cuarta"];
    const results = await Promise.all(
      titles.map((title, i) => t.api.patch(`/api/events/series/${series.id}`, { token: organizer.token, json: { title, startTime: `2${i}:00` } })),
    );
    for (const res of results) expect([200, 409]).toContain(res.status);
    const [row] = await t.db.select().from(eventSeries).where(eq(eventSeries.id, series.id));
    const applied = results.filter((res) => res.status === 200).length;
    expect(applied).toBeGreaterThanOrEqual(1);
    expect(row!.sequence).toBe(applied);
    for (const occurrence of await occurrencesOf(series.id)) {
      expect(occurrence.title).toBe(row!.title);
      expect(wallClock(occurrence.startDate, BA)).toBe(`${occurrence.occurrenceOn} ${row!.startTime}`);
      expect(occurrence.sequence).toBe(applied);
    }
  });

  it("racing the window extension, leaves no occurrence with the old template", async () => {
    const organizer = await signedIn(t);
    const series = await createVia(organizer.token);
    // As if the window had last been extended 30 days ago: the job has occurrences to add.
    const rows = await occurrencesOf(series.id);
    const keep = rows.slice(0, 4);
    await t.db.delete(events).where(and(eq(events.seriesId, series.id), sql`${events.id} NOT IN (${sql.join(keep.map((row) => sql`${row.id}`), sql`, `)})`));
    await t.db.update(eventSeries).set({ materializedUntil: keep.at(-1)!.occurrenceOn }).where(eq(eventSeries.id, series.id));
    const ctx = testCtx(t);
    const [edit] = await Promise.all([
      t.api.patch(`/api/events/series/${series.id}`, { token: organizer.token, json: { title: "Después", startTime: "22:15" } }),
      extendSeriesWindows(ctx, { afterId: series.id - 1, limit: 1 }),
    ]);
    expect(edit.status).toBe(200);
    // A run that lost to the edit left the series for the next one, which uses the new template.
    await extendSeriesWindows(ctx, { afterId: series.id - 1, limit: 1 });
    const after = await occurrencesOf(series.id);
    expect(after.length).toBe(rows.length);
    for (const occurrence of after) {
      expect(occurrence.title).toBe("Después");
      expect(wallClock(occurrence.startDate, BA)).toBe(`${occurrence.occurrenceOn} 22:15`);
    }
  });
});

describe("POST /api/events/series/{id}/cancel", () => {
  async function cancellable() {
    const organizer = await signedIn(t);
    const series = await createVia(organizer.token, { isPaid: true, price: "10", currency: "ARS" });
    const odd = await oddOccurrences({ id: series.id, userId: organizer.user.id }, series.title as string);
    const [twice, waiting, interested, onlyPast] = await Promise.all(Array.from({ length: 4 }, () => createUser(t.db, { isVerified: true })));
    await t.db.insert(userSettings).values({ userId: twice!.id, notificationPreferences: { event_series_cancelled: { email: true } } });
    await rsvp(t.db, odd.plain[0]!.id, twice!.id);
    await rsvp(t.db, odd.detached.id, twice!.id);
    await rsvp(t.db, odd.plain[1]!.id, waiting!.id, "waitlisted");
    await rsvp(t.db, odd.plain[1]!.id, interested!.id, "interested");
    await rsvp(t.db, odd.past.id, onlyPast!.id);
    await rsvp(t.db, odd.plain[2]!.id, organizer.user.id);
    const [ticket] = await t.db.insert(eventTickets).values({ eventId: odd.plain[0]!.id, userId: twice!.id, code: unique("code").slice(0, 32) }).returning();
    return { organizer, series, odd, twice: twice!, waiting: waiting!, interested: interested!, onlyPast: onlyPast!, ticket: ticket! };
  }

  const notesFor = (userId: number) => t.db.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.type, "event_series_cancelled")));

  it("cancels every future occurrence (detached too) and their tickets, and tells each dancer going or waiting once", async () => {
    const w = await cancellable();
    const res = await t.api.post(`/api/events/series/${w.series.id}/cancel`, { token: w.organizer.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const future = [w.odd.detached, ...w.odd.plain];
    expect(res.body.cancelled).toBe(future.length);
    expect(res.body.series).toMatchObject({ status: "cancelled", sequence: 1 });
    expect(new Set(res.body.series.upcoming.map((o: { status: string }) => o.status))).toEqual(new Set(["cancelled"]));
    const rows = new Map((await occurrencesOf(w.series.id)).map((row) => [row.id, row]));
    for (const occurrence of future) expect(rows.get(occurrence.id)).toMatchObject({ status: "cancelled", sequence: 1, cancelledAt: expect.any(Date) });
    expect(rows.get(w.odd.past.id)).toMatchObject({ status: "published", sequence: 0 });
    // The one cancelled before keeps its own cancellation.
    expect(rows.get(w.odd.cancelled.id)!.sequence).toBe(0);
    expect((await t.db.select().from(eventTickets).where(eq(eventTickets.id, w.ticket.id)))[0]).toMatchObject({ status: "cancelled", cancelledAt: expect.any(Date) });

    const [twice] = await notesFor(w.twice.id);
    expect(twice).toMatchObject({ actorId: w.organizer.user.id, subjectType: "event_series", subjectId: w.series.id, count: 1 });
    expect(twice!.data).toMatchObject({ seriesId: w.series.id, eventTitle: w.series.title, occurrences: 2 });
    expect((await notesFor(w.waiting.id)).map((n) => (n.data as { occurrences: number }).occurrences)).toEqual([1]);
    expect(await notesFor(w.interested.id)).toEqual([]);
    expect(await notesFor(w.onlyPast.id)).toEqual([]);
    expect(await notesFor(w.organizer.user.id)).toEqual([]);
    expect(await t.db.select().from(emailQueue).where(eq(emailQueue.userId, w.twice.id))).toHaveLength(1);
  });

  it("changes nothing more when repeated, even racing itself, and the window job leaves the series alone", async () => {
    const w = await cancellable();
    const results = await Promise.all([0, 1, 2].map(() => t.api.post(`/api/events/series/${w.series.id}/cancel`, { token: w.organizer.token })));
    expect(results.map((res) => res.status)).toEqual([200, 200, 200]);
    expect(results.map((res) => Number(res.body.cancelled)).sort((a, b) => a - b)).toEqual([0, 0, 1 + w.odd.plain.length]);
    expect((await notesFor(w.twice.id)).map((n) => n.count)).toEqual([1]);
    await t.db.update(eventSeries).set({ materializedUntil: utcDay(new Date(), 10) }).where(eq(eventSeries.id, w.series.id));
    const before = (await occurrencesOf(w.series.id)).length;
    await extendSeriesWindows(testCtx(t), { afterId: w.series.id - 1, limit: 1 });
    expect(await occurrencesOf(w.series.id)).toHaveLength(before);
  });

  it("racing RSVPs to its occurrences, leaves no active ticket behind (the occurrences are locked as an RSVP locks them)", async () => {
    for (let round = 0; round < 3; round++) {
      const organizer = await signedIn(t);
      const series = await createVia(organizer.token, { isPaid: true, price: "10", currency: "ARS", maxAttendees: 3 });
      const first = series.upcoming[0]!;
      const dancers = await Promise.all(Array.from({ length: 5 }, () => signedIn(t)));
      const [cancel, ...answers] = await Promise.all([
        t.api.post(`/api/events/series/${series.id}/cancel`, { token: organizer.token }),
        ...dancers.map((d) => t.api.post(`/api/events/${first.id}/rsvp`, { token: d.token, json: { status: "going" } })),
      ]);
      expect(cancel.status).toBe(200);
      for (const res of answers) expect([200, 409], JSON.stringify(res.body)).toContain(res.status);
      const active = await t.db.select().from(eventTickets).where(and(eq(eventTickets.eventId, first.id), eq(eventTickets.status, "active")));
      expect(active).toEqual([]);
    }
  });

  it("racing the window extension, leaves no future occurrence uncancelled", async () => {
    const organizer = await signedIn(t);
    const series = await createVia(organizer.token);
    const rows = await occurrencesOf(series.id);
    await t.db.delete(events).where(inArray(events.id, rows.slice(3).map((row) => row.id)));
    await t.db.update(eventSeries).set({ materializedUntil: rows[2]!.occurrenceOn }).where(eq(eventSeries.id, series.id));
    const [cancel] = await Promise.all([
      t.api.post(`/api/events/series/${series.id}/cancel`, { token: organizer.token }),
      extendSeriesWindows(testCtx(t), { afterId: series.id - 1, limit: 1 }),
    ]);
    expect(cancel.status).toBe(200);
    const after = await occurrencesOf(series.id);
    expect(after.filter((row) => row.status !== "cancelled")).toEqual([]);
    expect(cancel.body.cancelled).toBe(after.length);
  });

  it("is the organizer's only: 403 for another dancer (nothing cancelled), 404 for a draft they may not see, 401 anonymous", async () => {
    const organizer = await signedIn(t);
    const other = await signedIn(t);
    const series = await createVia(organizer.token);
    const draft = await createVia(organizer.token, { status: "draft" });
    const refused = await t.api.post(`/api/events/series/${series.id}/cancel`, { token: other.token });
    expect([refused.status, refused.body.code]).toEqual([403, "not_series_organizer"]);
    expect((await t.api.post(`/api/events/series/${draft.id}/cancel`, { token: other.token })).status).toBe(404);
    expect((await t.api.post(`/api/events/series/${series.id}/cancel`)).status).toBe(401);
    expect(new Set((await occurrencesOf(series.id)).map((row) => row.status))).toEqual(new Set(["published"]));
    expect((await t.db.select().from(eventSeries).where(inArray(eventSeries.id, [series.id, draft.id]))).map((s) => s.status).sort()).toEqual(["draft", "published"]);
  });

  it("lets each occurrence take its own RSVPs: going to one is not going to the next", async () => {
    const organizer = await signedIn(t);
    const series = await createVia(organizer.token);
    const [first, second] = await occurrencesOf(series.id);
    await rsvp(t.db, first!.id, (await createUser(t.db)).id);
    const counts = await t.db.select({ id: events.id, going: events.goingCount }).from(events).where(inArray(events.id, [first!.id, second!.id])).orderBy(asc(events.id));
    expect(counts.map((c) => c.going)).toEqual([1, 0]);
  });
});
