import { createScheduledController } from "cloudflare:test";
import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { guestBookings, notifications } from "../../drizzle/schema";
import { createUser } from "../../test/factories";
import { testCtx, useTestDatabase } from "../../test/harness";
import { createBooking, createListing } from "../../test/housing";
import worker from "../../workers/api";
import { SCHEDULES } from "./index";
import { completeHousingStays, createStaysJob } from "./housing-stays";

const t = await useTestDatabase();

/** Stays of one listing, around `now`: checkout days relative to it. */
async function stays(now: Date, checkouts: number[], status: "approved" | "pending" | "cancelled" = "approved") {
  const [host, guest] = await Promise.all([createUser(t.db), createUser(t.db)]);
  const home = await createListing(t.db, { userId: host.id });
  const at = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
  const rows = [];
  for (const out of checkouts) {
    rows.push(await createBooking(t.db, { homeId: home.id, guestId: guest.id, checkIn: at(out - 1), checkOut: at(out), status }));
  }
  return { host, guest, rows };
}

const statuses = async (ids: number[]) =>
  (await t.db.select().from(guestBookings).where(inArray(guestBookings.id, ids))).sort((a, b) => a.id - b.id).map((r) => r.status);

describe("housing stays (cron 45 * * * *)", () => {
  it("completes approved stays whose checkout day has come, tells both sides once, and a rerun does nothing", async () => {
    const now = new Date("2031-05-10T12:00:00Z");
    const { host, guest, rows } = await stays(now, [-3, 0]);
    const later = await stays(now, [1]);
    const pending = await stays(now, [-1], "pending");
    const counts = await completeHousingStays.run(testCtx(t, { now }));
    expect(counts).toMatchObject({ completed: 2, notified: 4, unfinished: 0 });
    expect(await statuses(rows.map((r) => r.id))).toEqual(["completed", "completed"]);
    expect(await statuses(later.rows.map((r) => r.id))).toEqual(["approved"]);
    expect(await statuses(pending.rows.map((r) => r.id))).toEqual(["pending"]);
    for (const user of [host, guest]) {
      const told = await t.db.select().from(notifications).where(and(eq(notifications.userId, user.id), eq(notifications.type, "booking_completed")));
      expect(told.map((n) => n.subjectId).sort()).toEqual(rows.map((r) => r.id).sort());
    }
    expect(await completeHousingStays.run(testCtx(t, { now }))).toMatchObject({ completed: 0, notified: 0 });
  });

  it("works in chunks, and two overlapping runs complete each stay once", async () => {
    // Before the first test's stay still to come (checkout 11 May), so only these seven are due.
    const now = new Date("2031-03-10T12:00:00Z");
    const { rows } = await stays(now, [-10, -9, -8, -7, -6, -5, -4]);
    const runs = await Promise.all([0, 1].map(() => createStaysJob({ chunk: 2, budgetMs: 60_000 }).run(testCtx(t, { now }))));
    expect(runs.reduce((sum, c) => sum + (c.completed ?? 0), 0)).toBe(7);
    expect(Math.max(...runs.map((c) => c.chunks ?? 0))).toBeGreaterThanOrEqual(2);
    expect(await statuses(rows.map((r) => r.id))).toEqual(Array(7).fill("completed"));
    const notices = await t.db.select().from(notifications).where(and(eq(notifications.type, "booking_completed"), inArray(notifications.subjectId, rows.map((r) => r.id))));
    expect(notices).toHaveLength(14);
  });

  it("runs on the 45 * * * * trigger, after the series job", async () => {
    expect(SCHEDULES["45 * * * *"]!.map((job) => job.name)).toEqual(["event-series", "housing-stays"]);
    const now = new Date("2031-11-10T12:45:00Z");
    const { rows } = await stays(now, [-1]);
    await worker.scheduled(createScheduledController({ cron: "45 * * * *", scheduledTime: now.getTime() }), t.env);
    expect(await statuses(rows.map((r) => r.id))).toEqual(["completed"]);
  });
});
