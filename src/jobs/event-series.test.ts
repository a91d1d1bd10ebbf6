import { createScheduledController } from "cloudflare:test";
import { and, asc, eq, inArray, notInArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { eventSeries, events } from "../../drizzle/schema";
import { createSeries, createUser } from "../../test/factories";
import { testCtx, useTestDatabase } from "../../test/harness";
import { wallClock } from "../../test/zones";
import worker from "../../workers/api";
import { createSeriesJob, extendEventSeries } from "./event-series";

const t = await useTestDatabase();
const DAY = 86_400_000;

const occurrencesOf = (seriesId: number) => t.db.select().from(events).where(eq(events.seriesId, seriesId)).orderBy(asc(events.occurrenceOn));
const seriesRow = async (id: number) => (await t.db.select().from(eventSeries).where(eq(eventSeries.id, id)))[0]!;

/** Leaves only these series for the job (the others of the file cancelled), so its counts are theirs. */
async function only(ids: number[]) {
  await t.db.update(eventSeries).set({ status: "cancelled" }).where(and(notInArray(eventSeries.id, ids), eq(eventSeries.status, "published")));
}

describe("event series window (cron 45 * * * *)", () => {
  it("makes 90 days of occurrences across the spring DST change, 21:00 local in Berlin and New York", async () => {
    const now = new Date("2026-03-01T12:00:00Z");
    const organizer = await createUser(t.db);
    const berlin = await createSeries(t.db, { userId: organizer.id, timezone: "Europe/Berlin", weekday: 4, startsOn: "2026-03-01" });
    const newYork = await createSeries(t.db, { userId: organizer.id, timezone: "America/New_York", weekday: 5, startsOn: "2026-03-01" });
    await only([berlin.id, newYork.id]);
    const counts = await extendEventSeries.run(testCtx(t, { now }));
    const inBerlin = await occurrencesOf(berlin.id);
    const inNewYork = await occurrencesOf(newYork.id);
    // Thursdays 5 March to 28 May, Fridays 6 March to 29 May (the window ends on 30 May).
    expect(inBerlin.map((o) => o.occurrenceOn)).toHaveLength(13);
    expect([inBerlin[0]!.occurrenceOn, inBerlin.at(-1)!.occurrenceOn]).toEqual(["2026-03-05", "2026-05-28"]);
    expect([inNewYork[0]!.occurrenceOn, inNewYork.at(-1)!.occurrenceOn, inNewYork.length]).toEqual(["2026-03-06", "2026-05-29", 13]);
    expect(counts).toEqual({ series: 2, extended: 2, occurrences: 26, chunks: 1, unfinished: 0 });
    for (const o of inBerlin) expect(wallClock(o.startDate, "Europe/Berlin")).toBe(`${o.occurrenceOn} 21:00`);
    for (const o of inNewYork) expect(wallClock(o.startDate, "America/New_York")).toBe(`${o.occurrenceOn} 21:00`);
    // UTC moves with DST: Berlin changes on 29 March, New York on 8 March.
    const utc = (rows: typeof inBerlin, on: string) => rows.find((o) => o.occurrenceOn === on)!.startDate.toISOString();
    expect([utc(inBerlin, "2026-03-26"), utc(inBerlin, "2026-04-02")]).toEqual(["2026-03-26T20:00:00.000Z", "2026-04-02T19:00:00.000Z"]);
    expect([utc(inNewYork, "2026-03-06"), utc(inNewYork, "2026-03-13")]).toEqual(["2026-03-07T02:00:00.000Z", "2026-03-14T01:00:00.000Z"]);
    expect((await seriesRow(berlin.id)).materializedUntil).toBe("2026-05-30");
    expect(inBerlin.every((o) => o.userId === organizer.id && o.title === berlin.title && o.seriesId === berlin.id && o.status === "published")).toBe(true);
  });

  it("is idempotent: a rerun at the same time makes nothing; a day later it adds only what the window gained", async () => {
    const now = new Date("2026-06-01T12:00:00Z");
    const organizer = await createUser(t.db);
    const series = await createSeries(t.db, { userId: organizer.id, weekday: 3, startsOn: "2026-06-01", timezone: "Europe/Madrid" });
    await only([series.id]);
    await extendEventSeries.run(testCtx(t, { now }));
    const first = await occurrencesOf(series.id);
    expect(await extendEventSeries.run(testCtx(t, { now }))).toEqual({ series: 0, extended: 0, occurrences: 0, chunks: 0, unfinished: 0 });
    expect(await occurrencesOf(series.id)).toEqual(first);
    // The window's end moves from 30 August (a Sunday) to 2 September (a Wednesday): one more.
    const later = await extendEventSeries.run(testCtx(t, { now: new Date(now.getTime() + 3 * DAY) }));
    expect(later).toMatchObject({ series: 1, extended: 1, occurrences: 1 });
    const after = await occurrencesOf(series.id);
    expect(after.slice(0, first.length)).toEqual(first);
    expect(after.at(-1)!.occurrenceOn).toBe("2026-09-02");
  });

  it("makes each occurrence once when two runs overlap", async () => {
    const now = new Date("2026-07-01T12:00:00Z");
    const organizer = await createUser(t.db);
    const series = await Promise.all([1, 2, 3].map((weekday) => createSeries(t.db, { userId: organizer.id, weekday, startsOn: "2026-07-01" })));
    const ids = series.map((s) => s.id);
    await only(ids);
    const runs = await Promise.all([0, 1].map(() => createSeriesJob({ chunk: 2, budgetMs: 60_000 }).run(testCtx(t, { now }))));
    const rows = await t.db.select().from(events).where(inArray(events.seriesId, ids));
    expect(new Set(rows.map((o) => `${o.seriesId}:${o.occurrenceOn}`)).size).toBe(rows.length);
    // 13 Mondays, 13 Tuesdays and 13 Wednesdays from 6, 7 and 1 July to the window's end (29 September).
    expect(rows).toHaveLength(39);
    expect(runs.reduce((sum, counts) => sum + (counts.occurrences ?? 0), 0)).toBe(39);
  });

  it("leaves drafts and cancelled series alone, stops at until, and makes nothing in the past", async () => {
    const now = new Date("2026-08-10T12:00:00Z");
    const organizer = await createUser(t.db);
    const draft = await createSeries(t.db, { userId: organizer.id, status: "draft", startsOn: "2026-08-01" });
    const cancelled = await createSeries(t.db, { userId: organizer.id, status: "cancelled", startsOn: "2026-08-01" });
    const ending = await createSeries(t.db, { userId: organizer.id, startsOn: "2026-07-01", until: "2026-08-27", weekday: 4 });
    await only([ending.id]);
    const counts = await extendEventSeries.run(testCtx(t, { now }));
    expect(counts).toMatchObject({ series: 1, occurrences: 3 });
    expect((await occurrencesOf(ending.id)).map((o) => o.occurrenceOn)).toEqual(["2026-08-13", "2026-08-20", "2026-08-27"]);
    expect(await occurrencesOf(draft.id)).toEqual([]);
    expect(await occurrencesOf(cancelled.id)).toEqual([]);
    // Done: its window passed its last date, so the job no longer picks it.
    expect(await extendEventSeries.run(testCtx(t, { now: new Date(now.getTime() + 7 * DAY) }))).toMatchObject({ series: 0 });
  });

  it("works chunk by chunk, and stops at its time budget (one chunk at least), the next run carrying on", async () => {
    const now = new Date("2026-09-01T12:00:00Z");
    const organizer = await createUser(t.db);
    const series = await Promise.all([0, 1, 2, 3, 4].map(() => createSeries(t.db, { userId: organizer.id, startsOn: "2026-09-01" })));
    await only(series.map((s) => s.id));
    const slow = createSeriesJob({ chunk: 2, budgetMs: 0 });
    expect(await slow.run(testCtx(t, { now }))).toMatchObject({ series: 2, extended: 2, chunks: 1, unfinished: 1 });
    expect(await slow.run(testCtx(t, { now }))).toMatchObject({ series: 2, extended: 2, chunks: 1, unfinished: 1 });
    expect(await slow.run(testCtx(t, { now }))).toMatchObject({ series: 1, extended: 1, chunks: 1, unfinished: 0 });
    for (const s of series) expect((await seriesRow(s.id)).materializedUntil).toBe("2026-11-30");
    const fresh = await Promise.all([0, 1, 2].map(() => createSeries(t.db, { userId: organizer.id, startsOn: "2026-09-01" })));
    expect(await createSeriesJob({ chunk: 2, budgetMs: 60_000 }).run(testCtx(t, { now }))).toMatchObject({ series: 3, chunks: 2, unfinished: 0 });
    for (const s of fresh) expect((await occurrencesOf(s.id)).length).toBe(13);
  });

  it("runs on its own hourly trigger", async () => {
    const now = new Date("2026-10-01T12:45:00Z");
    const organizer = await createUser(t.db);
    const series = await createSeries(t.db, { userId: organizer.id, startsOn: "2026-10-01" });
    await worker.scheduled(createScheduledController({ cron: "45 * * * *", scheduledTime: now.getTime() }), t.env);
    expect((await occurrencesOf(series.id)).length).toBeGreaterThan(10);
  });
});
