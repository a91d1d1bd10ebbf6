import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { eventCoOrganizers, events, moderationActions, moderationQueue, reports, users } from "../../../drizzle/schema";
import { signedIn, tokenFor } from "../../../test/auth";
import { eventVisibilityWorld } from "../../../test/event-world";
import { createEvent, createUser, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { expectReplay, keyHeaders } from "../../../test/idempotency";
import { AUTO_HIDE_THRESHOLD } from "./index";

/** Events in the moderation pipeline: reports, the queue item, hide, unhide, remove, dismiss, suspend. */
const t = await useTestDatabase();

const report = (token: string | undefined, eventId: number, key?: string) =>
  t.api.post(`/api/events/${eventId}/report`, { token, json: { reason: "spam", details: "Fake festival" }, headers: keyHeaders(key) });

async function reportedBy(eventId: number, count: number) {
  for (let i = 0; i < count; i++) {
    const { token } = await signedIn(t);
    expect((await report(token, eventId)).status).toBe(201);
  }
  const [item] = await t.db
    .select()
    .from(moderationQueue)
    .where(and(eq(moderationQueue.targetType, "event"), eq(moderationQueue.targetId, eventId), eq(moderationQueue.status, "pending")));
  return item!;
}

const moderator = () => signedIn(t, { role: "admin" });
const resolve = (token: string, id: number, action: string) => t.api.post(`/api/moderation/queue/${id}/resolve`, { token, json: { action } });

async function eventRow(id: number) {
  const [row] = await t.db.select().from(events).where(eq(events.id, id));
  return row;
}

describe("POST /api/events/{id}/report", () => {
  it("files a report (201) into the event's queue item, with its organizer as the owner and its title as the content", async () => {
    const organizer = await createUser(t.db);
    const event = await createEvent(t.db, { userId: organizer.id, title: "Free shoes milonga" });
    const { token } = await signedIn(t);
    const res = await report(token, event.id);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ targetType: "event", targetId: event.id, reason: "spam", details: "Fake festival" });
    const [item] = await t.db.select().from(moderationQueue).where(and(eq(moderationQueue.targetType, "event"), eq(moderationQueue.targetId, event.id)));
    expect(item).toMatchObject({ targetOwnerId: organizer.id, reportCount: 1, status: "pending" });
    const mod = await moderator();
    const detail = await t.api.get(`/api/moderation/queue/${item!.id}`, { token: mod.token });
    expect(detail.body.target).toMatchObject({
      type: "event",
      id: event.id,
      exists: true,
      owner: { id: organizer.id },
      content: "Free shoes milonga",
      hidden: false,
    });
  });

  it("refuses a second report (409), your own event (400, a co-organizer may report it), and what you may not see (404)", async () => {
    const world = await eventVisibilityWorld(t);
    const { token } = await signedIn(t);
    expect((await report(token, world.events.pub.id)).status).toBe(201);
    expect((await report(token, world.events.pub.id)).body.code).toBe("already_reported");
    const own = await report(await tokenFor(t, world.organizer), world.events.pub.id);
    expect([own.status, own.body.code]).toEqual([400, "cannot_report_self"]);
    for (const viewer of world.viewers.filter((v) => v.token !== undefined)) {
      for (const event of world.events.all) {
        if (event.id === world.events.pub.id) continue;
        const res = await report(viewer.token, event.id);
        if (viewer.user!.id === world.organizer.id) expect(res.status, viewer.label).toBe(400);
        else if (viewer.sees.includes(event.id)) expect(res.status, `${viewer.label} ${event.id}`).toBe(201);
        else expect(res.status, `${viewer.label} ${event.id}`).toBe(404);
      }
    }
    expect((await report(undefined, world.events.pub.id)).status).toBe(401);
  });

  it("replays a repeat with the same Idempotency-Key", async () => {
    const event = await createEvent(t.db, { userId: (await createUser(t.db)).id });
    const { user, token } = await signedIn(t);
    const key = unique("key");
    expectReplay(await report(token, event.id, key), await report(token, event.id, key));
    expect(await t.db.select().from(reports).where(eq(reports.reporterId, user.id))).toHaveLength(1);
  });

  it(`hides the event from everyone but its organizers after ${AUTO_HIDE_THRESHOLD} reporters, recorded as auto_hide`, async () => {
    const organizer = await signedIn(t);
    const co = await signedIn(t);
    const event = await createEvent(t.db, { userId: organizer.user.id });
    await t.db.insert(eventCoOrganizers).values({ eventId: event.id, userId: co.user.id });
    const item = await reportedBy(event.id, AUTO_HIDE_THRESHOLD);
    expect((await eventRow(event.id))!.hiddenAt).not.toBeNull();
    const actions = await t.db.select().from(moderationActions).where(eq(moderationActions.queueId, item.id));
    expect(actions.map((a) => [a.action, a.moderatorId])).toEqual([["auto_hide", null]]);
    expect((await t.api.get(`/api/events/${event.id}`)).status).toBe(404);
    for (const who of [organizer, co]) {
      const seen = await t.api.get(`/api/events/${event.id}`, { token: who.token });
      expect([seen.status, seen.body.hidden]).toEqual([200, true]);
    }
  });
});

describe("moderators deciding on events", () => {
  it("hides and shows an event again (resolve hide, unhide)", async () => {
    const event = await createEvent(t.db, { userId: (await createUser(t.db)).id });
    const item = await reportedBy(event.id, 1);
    const { token } = await moderator();
    const hide = await resolve(token, item.id, "hide");
    expect([hide.status, hide.body.applied]).toEqual([200, true]);
    expect((await eventRow(event.id))!.hiddenAt).not.toBeNull();
    expect((await t.api.get(`/api/events/${event.id}`)).status).toBe(404);
    const [review] = await t.db
      .insert(moderationQueue)
      .values({ targetType: "event", targetId: event.id, targetOwnerId: event.userId, reportCount: 0 })
      .returning();
    const unhide = await resolve(token, review!.id, "unhide");
    expect([unhide.status, unhide.body.applied]).toEqual([200, true]);
    expect((await t.api.get(`/api/events/${event.id}`)).status).toBe(200);
  });

  it("removes an event, keeping it in the action's snapshot", async () => {
    const event = await createEvent(t.db, { userId: (await createUser(t.db)).id, title: "Pyramid scheme festival" });
    const item = await reportedBy(event.id, 1);
    const { token } = await moderator();
    const res = await resolve(token, item.id, "remove");
    expect(res.status).toBe(200);
    expect(res.body.action.snapshot).toMatchObject({ id: event.id, title: "Pyramid scheme festival", eventType: "milonga" });
    expect(await eventRow(event.id)).toBeUndefined();
    const detail = await t.api.get(`/api/moderation/queue/${item.id}`, { token });
    expect(detail.body.target).toMatchObject({ type: "event", exists: false, content: null });
  });

  it("shows an auto-hidden event again on dismiss, and suspends an organizer", async () => {
    const organizer = await createUser(t.db);
    const event = await createEvent(t.db, { userId: organizer.id });
    const item = await reportedBy(event.id, AUTO_HIDE_THRESHOLD);
    const { token } = await moderator();
    const dismissed = await t.api.post(`/api/moderation/queue/${item.id}/dismiss`, { token });
    expect([dismissed.status, dismissed.body.applied]).toEqual([200, true]);
    expect((await eventRow(event.id))!.hiddenAt).toBeNull();

    const again = await reportedBy(event.id, 1);
    expect((await resolve(token, again.id, "suspend")).status).toBe(200);
    expect((await t.db.select().from(users).where(eq(users.id, organizer.id)))[0]!.suspended).toBe(true);
    expect((await t.api.get(`/api/events/${event.id}`)).status).toBe(404);
  });
});
