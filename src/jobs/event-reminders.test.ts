import { createScheduledController } from "cloudflare:test";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, emailQueue, eventReminders as reminderRows, events, notifications, userSettings, users } from "../../drizzle/schema";
import { createEvent, createUser, rsvp } from "../../test/factories";
import { testCtx, useTestDatabase } from "../../test/harness";
import worker from "../../workers/api";
import { dueRemindersStatement } from "../modules/events/reminders.service";
import { renderNotificationEmail } from "../modules/notifications";
import { createRemindersJob, eventReminders } from "./event-reminders";
import type { JobCounts } from "./job";

const t = await useTestDatabase();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Each test at its own time, days apart, so no test's events fall in another's 24 hours. */
const at = (day: number) => new Date(Date.UTC(2031, 4, day * 3, 12));

/** A count summed over several runs' counts. */
const total = (runs: JobCounts[], name: string) => runs.reduce((sum, counts) => sum + (counts[name] ?? 0), 0);

const remindersOf = (eventIds: number[]) =>
  t.db.select().from(reminderRows).where(inArray(reminderRows.eventId, eventIds)).orderBy(asc(reminderRows.eventId), asc(reminderRows.userId), asc(reminderRows.kind));
const notesOf = (userId: number) =>
  t.db.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.type, "event_reminder"))).orderBy(asc(notifications.id));

/** An event starting `inMs` after `now`, with `going` dancers going to it. */
async function eventWith(now: Date, inMs: number, going: number, overrides: Partial<typeof events.$inferInsert> = {}) {
  const organizer = await createUser(t.db);
  const event = await createEvent(t.db, { userId: organizer.id, startDate: new Date(now.getTime() + inMs), ...overrides });
  const dancers = await Promise.all(Array.from({ length: going }, () => createUser(t.db, { isVerified: true })));
  for (const dancer of dancers) await rsvp(t.db, event.id, dancer.id);
  return { organizer, event, dancers };
}

describe("event reminders (cron * * * * *)", () => {
  it("sends the 24-hour reminder from 24 hours before, the 1-hour one from 1 hour before, to dancers going only", async () => {
    const now = at(1);
    const tomorrow = await eventWith(now, 24 * HOUR - MINUTE, 2);
    const soon = await eventWith(now, 50 * MINUTE, 1);
    const tonight = await eventWith(now, 3 * HOUR, 1);
    const later = await eventWith(now, 24 * HOUR + MINUTE, 1);
    const [interested, waiting, declined] = await Promise.all([createUser(t.db), createUser(t.db), createUser(t.db)]);
    await rsvp(t.db, tomorrow.event.id, interested.id, "interested");
    await rsvp(t.db, tomorrow.event.id, waiting.id, "waitlisted");
    await rsvp(t.db, tomorrow.event.id, declined.id, "not_going");

    const counts = await eventReminders.run(testCtx(t, { now }));
    expect(counts).toEqual({ events: 3, sent: 4, notified: 4, emailsQueued: 0, chunks: 1, unfinished: 0 });
    const sent = await remindersOf([tomorrow.event.id, soon.event.id, tonight.event.id, later.event.id]);
    const expected: [number, number, string][] = [
      [tomorrow.event.id, tomorrow.dancers[0]!.id, "24h"],
      [tomorrow.event.id, tomorrow.dancers[1]!.id, "24h"],
      [soon.event.id, soon.dancers[0]!.id, "1h"],
      [tonight.event.id, tonight.dancers[0]!.id, "24h"],
    ];
    expect(sent.map((r) => [r.eventId, r.userId, r.kind])).toEqual(expected.sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    expect(sent.every((r) => r.sentAt.getTime() === now.getTime())).toBe(true);
    for (const user of [interested, waiting, declined, tomorrow.organizer]) expect(await notesOf(user.id)).toEqual([]);
    const [note] = await notesOf(soon.dancers[0]!.id);
    const row = sent.find((r) => r.eventId === soon.event.id)!;
    expect(note).toMatchObject({ subjectType: "event_reminder", subjectId: row.id, actorId: null, count: 1 });
    expect(note!.data).toEqual({ eventId: soon.event.id, eventTitle: soon.event.title, kind: "1h", startsAt: soon.event.startDate.toISOString().replace(".000", "") });
  });

  it("sends each reminder exactly once across two overlapping runs and reruns, the 1-hour one as a notification and email of its own", async () => {
    const now = at(2);
    const { event, dancers } = await eventWith(now, 2 * HOUR, 6);
    await t.db.insert(userSettings).values({ userId: dancers[0]!.id, notificationPreferences: { event_reminder: { email: true } } });
    const ctx = testCtx(t, { now });
    const runs = await Promise.all([0, 1].map(() => createRemindersJob({ chunk: 1, budgetMs: 60_000 }).run(ctx)));
    expect(total(runs, "sent")).toBe(6);
    expect(total(runs, "emailsQueued")).toBe(1);
    expect(await eventReminders.run(ctx)).toMatchObject({ events: 1, sent: 0, notified: 0 });
    expect((await remindersOf([event.id])).map((r) => r.kind)).toEqual(Array(6).fill("24h"));

    // An hour later (the 24-hour one still unread) the 1-hour reminder comes, again once.
    const hourLater = testCtx(t, { now: new Date(now.getTime() + 61 * MINUTE) });
    const again = await Promise.all([0, 1].map(() => eventReminders.run(hourLater)));
    expect(total(again, "sent")).toBe(6);
    for (const dancer of dancers) {
      expect((await notesOf(dancer.id)).map((n) => [(n.data as { kind: string }).kind, n.count, n.isRead])).toEqual([
        ["24h", 1, false],
        ["1h", 1, false],
      ]);
    }
    const mails = await t.db.select().from(emailQueue).where(eq(emailQueue.userId, dancers[0]!.id));
    expect(mails).toHaveLength(2);
    for (const mail of mails) expect(renderNotificationEmail(mail.data, { APP_URL: "https://a.test" }).subject).toBe(`Reminder: ${event.title} is coming up`);
    expect(await t.db.select().from(emailQueue).where(eq(emailQueue.userId, dancers[1]!.id))).toEqual([]);
  });

  it("gives an event moved later new reminders, and a cancelled, draft or hidden event none", async () => {
    const now = at(3);
    const moved = await eventWith(now, 10 * HOUR, 1);
    const cancelled = await eventWith(now, 10 * HOUR, 1, { status: "cancelled", cancelledAt: now });
    const draft = await eventWith(now, 10 * HOUR, 1, { status: "draft" });
    const hidden = await eventWith(now, 10 * HOUR, 1, { hiddenAt: now });
    await eventReminders.run(testCtx(t, { now }));
    const newStart = new Date(now.getTime() + 12 * HOUR);
    await t.db.update(events).set({ startDate: newStart }).where(eq(events.id, moved.event.id));
    await eventReminders.run(testCtx(t, { now: new Date(now.getTime() + MINUTE) }));
    const rows = await remindersOf([moved.event.id, cancelled.event.id, draft.event.id, hidden.event.id]);
    expect(rows.map((r) => [r.eventId, r.kind, r.startsAt.getTime()])).toEqual([
      [moved.event.id, "24h", moved.event.startDate.getTime()],
      [moved.event.id, "24h", newStart.getTime()],
    ]);
    expect(await notesOf(moved.dancers[0]!.id)).toHaveLength(2);
    for (const w of [cancelled, draft, hidden]) expect(await notesOf(w.dancers[0]!.id)).toEqual([]);
  });

  it("leaves out dancers who may no longer see the event or whose account is suspended", async () => {
    const now = at(4);
    const { event, organizer, dancers } = await eventWith(now, 5 * HOUR, 3);
    await t.db.insert(blockedUsers).values({ blockerId: dancers[0]!.id, blockedId: organizer.id });
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, dancers[1]!.id));
    await eventReminders.run(testCtx(t, { now }));
    expect((await remindersOf([event.id])).map((r) => r.userId)).toEqual([dancers[2]!.id]);
  });

  it("takes the events a chunk at a time and stops at its time budget, the next run carrying on", async () => {
    const now = at(5);
    const made = [];
    for (const hours of [2, 3, 4]) made.push(await eventWith(now, hours * HOUR, 1));
    const slow = createRemindersJob({ chunk: 1, budgetMs: 0 });
    expect(await slow.run(testCtx(t, { now }))).toMatchObject({ events: 1, sent: 1, chunks: 1, unfinished: 1 });
    expect((await remindersOf(made.map((w) => w.event.id))).map((r) => r.eventId)).toEqual([made[0]!.event.id]);
    expect(await createRemindersJob({ chunk: 2, budgetMs: 60_000 }).run(testCtx(t, { now }))).toMatchObject({ events: 3, sent: 2, chunks: 2, unfinished: 0 });
    expect(await remindersOf(made.map((w) => w.event.id))).toHaveLength(3);
  });

  // With sequential scans priced out (SET LOCAL, in the same transaction as the EXPLAIN), the
  // chunk walks the upcoming-events index by start time and each event's RSVPs by their index.
  it("walks the upcoming events' index and each event's RSVPs by index", async () => {
    const [, plan] = await t.db.batch([
      t.db.execute(sql`SET LOCAL enable_seqscan = off`),
      t.db.execute<{ "QUERY PLAN": string }>(sql`EXPLAIN ${dueRemindersStatement(at(7), { after: ["2031-05-21 12:00:00", 5], limit: 200 })}`),
    ]);
    const text = plan.rows.map((row) => row["QUERY PLAN"]).join("\n");
    expect(text).toContain("events_upcoming_idx");
    expect(text).toContain("event_rsvps_going_idx");
    expect(text).toContain("event_reminders_once_idx");
    expect(text).not.toMatch(/Seq Scan on (events|event_rsvps|event_reminders)/);
  });

  it("runs every minute, before the email queue", async () => {
    const now = at(6);
    const { event } = await eventWith(now, 30 * MINUTE, 1);
    await worker.scheduled(createScheduledController({ cron: "* * * * *", scheduledTime: now.getTime() }), t.env);
    expect(await remindersOf([event.id])).toHaveLength(1);
  });
});
