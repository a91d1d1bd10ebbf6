import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, eventCoOrganizers, events, notifications, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createEvent, createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { allPages } from "../../../test/pages";

const t = await useTestDatabase();

async function coOrganizersOf(eventId: number) {
  const rows = await t.db.select().from(eventCoOrganizers).where(eq(eventCoOrganizers.eventId, eventId)).orderBy(eventCoOrganizers.userId);
  return rows.map((r) => r.userId);
}

async function namedNotices(userId: number, eventId: number) {
  return t.db
    .select({ actorId: notifications.actorId, data: notifications.data })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.type, "event_co_organizer"), eq(notifications.subjectId, eventId)));
}

const add = (token: string | undefined, eventId: number, userId: number) => t.api.post(`/api/events/${eventId}/co-organizers`, { token, json: { userId } });

describe("POST /api/events/{id}/co-organizers", () => {
  it("names a co-organizer (201), notifies them once, and answers 200 for a repeat", async () => {
    const organizer = await signedIn(t);
    const event = await createEvent(t.db, { userId: organizer.user.id });
    const dancer = await createUser(t.db, { profileImage: "https://x.test/p.jpg" });
    const first = await add(organizer.token, event.id, dancer.id);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: dancer.id,
      username: dancer.username,
      name: dancer.name,
      profileImage: "https://x.test/p.jpg",
      addedAt: expect.stringMatching(/Z$/),
    });
    const again = await add(organizer.token, event.id, dancer.id);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await coOrganizersOf(event.id)).toEqual([dancer.id]);
    expect(await namedNotices(dancer.id, event.id)).toEqual([{ actorId: organizer.user.id, data: { eventId: event.id, eventTitle: event.title } }]);
  });

  it("gives the co-organizer the organizers' powers but deleting and naming others", async () => {
    const organizer = await signedIn(t);
    const co = await signedIn(t);
    const event = await createEvent(t.db, { userId: organizer.user.id });
    await add(organizer.token, event.id, co.user.id);
    expect((await t.api.get(`/api/events/${event.id}`, { token: co.token })).body.viewer).toEqual({ rsvp: null, manages: true, isOrganizer: false });
    expect((await t.api.patch(`/api/events/${event.id}`, { token: co.token, json: { title: "Co-edited" } })).status).toBe(200);
    const other = await createUser(t.db);
    const naming = await add(co.token, event.id, other.id);
    expect([naming.status, naming.body.code]).toEqual([403, "not_event_organizer"]);
    const removing = await t.api.delete(`/api/events/${event.id}/co-organizers/${organizer.user.id}`, { token: co.token });
    expect(removing.status).toBe(403);
    const deleting = await t.api.delete(`/api/events/${event.id}`, { token: co.token });
    expect([deleting.status, deleting.body.code]).toEqual([403, "not_event_organizer"]);
    expect(await coOrganizersOf(event.id)).toEqual([co.user.id]);
    expect((await t.db.select().from(events).where(eq(events.id, event.id)))[0]!.title).toBe("Co-edited");
  });

  it("refuses an unknown, suspended or blocked dancer alike (400 unknown_user), and the organizer themselves", async () => {
    const organizer = await signedIn(t);
    const event = await createEvent(t.db, { userId: organizer.user.id });
    const [suspended, blocker, blocked] = await Promise.all([createUser(t.db, { suspended: true }), createUser(t.db), createUser(t.db)]);
    await t.db.insert(blockedUsers).values([
      { blockerId: blocker.id, blockedId: organizer.user.id },
      { blockerId: organizer.user.id, blockedId: blocked.id },
    ]);
    for (const userId of [2147483647, suspended.id, blocker.id, blocked.id]) {
      const res = await add(organizer.token, event.id, userId);
      expect([res.status, res.body.code, res.body.errors[0].path]).toEqual([400, "unknown_user", "body.userId"]);
    }
    const self = await add(organizer.token, event.id, organizer.user.id);
    expect([self.status, self.body.code]).toEqual([400, "already_organizer"]);
    expect(await coOrganizersOf(event.id)).toEqual([]);
  });

  it("refuses a stranger (403), hides an event they cannot see (404), and wants a token (401)", async () => {
    const organizer = await createUser(t.db);
    const stranger = await signedIn(t);
    const event = await createEvent(t.db, { userId: organizer.id });
    const draft = await createEvent(t.db, { userId: organizer.id, status: "draft" });
    expect((await add(stranger.token, event.id, stranger.user.id)).status).toBe(403);
    expect((await add(stranger.token, draft.id, stranger.user.id)).status).toBe(404);
    expect((await add(undefined, event.id, stranger.user.id)).status).toBe(401);
    expect(await coOrganizersOf(event.id)).toEqual([]);
  });

  it("names a dancer once under concurrent requests, with one notification", async () => {
    const organizer = await signedIn(t);
    const event = await createEvent(t.db, { userId: organizer.user.id });
    const dancer = await createUser(t.db);
    const results = await Promise.all(Array.from({ length: 6 }, () => add(organizer.token, event.id, dancer.id)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(await coOrganizersOf(event.id)).toEqual([dancer.id]);
    expect(await namedNotices(dancer.id, event.id)).toHaveLength(1);
  });
});

describe("DELETE /api/events/{id}/co-organizers/{userId}", () => {
  it("lets the organizer remove a co-organizer, and a co-organizer step down; both idempotent (204)", async () => {
    const organizer = await signedIn(t);
    const [a, b] = await Promise.all([signedIn(t), signedIn(t)]);
    const event = await createEvent(t.db, { userId: organizer.user.id });
    await add(organizer.token, event.id, a.user.id);
    await add(organizer.token, event.id, b.user.id);
    expect((await t.api.delete(`/api/events/${event.id}/co-organizers/${a.user.id}`, { token: organizer.token })).status).toBe(204);
    expect((await t.api.delete(`/api/events/${event.id}/co-organizers/${a.user.id}`, { token: organizer.token })).status).toBe(204);
    // b cannot remove a (no longer one, but not theirs to say either), only themselves.
    expect((await t.api.delete(`/api/events/${event.id}/co-organizers/${a.user.id}`, { token: b.token })).status).toBe(403);
    expect((await t.api.delete(`/api/events/${event.id}/co-organizers/${b.user.id}`, { token: b.token })).status).toBe(204);
    expect(await coOrganizersOf(event.id)).toEqual([]);
    // Stepped down, b no longer edits.
    expect((await t.api.patch(`/api/events/${event.id}`, { token: b.token, json: { title: "x" } })).status).toBe(403);
  });

  it("hides an event the caller cannot see (404)", async () => {
    const stranger = await signedIn(t);
    const draft = await createEvent(t.db, { userId: (await createUser(t.db)).id, status: "draft" });
    expect((await t.api.delete(`/api/events/${draft.id}/co-organizers/${stranger.user.id}`, { token: stranger.token })).status).toBe(404);
  });
});

describe("GET /api/events/{id}/co-organizers", () => {
  it("pages through the co-organizers, first named first, leaving out suspended ones and those blocked with the viewer", async () => {
    const organizer = await signedIn(t);
    const viewer = await signedIn(t);
    const event = await createEvent(t.db, { userId: organizer.user.id });
    const named = [];
    for (let i = 0; i < 5; i++) {
      const dancer = await createUser(t.db);
      await add(organizer.token, event.id, dancer.id);
      named.push(dancer.id);
    }
    const pages = await allPages(t.api, `/api/events/${event.id}/co-organizers?limit=2`);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.items.map((i) => i.id))).toEqual(named);
    await t.db.insert(blockedUsers).values({ blockerId: named[1]!, blockedId: viewer.user.id });
    const suspended = named[3]!;
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, suspended));
    const seen = (await allPages(t.api, `/api/events/${event.id}/co-organizers`, viewer.token)).flatMap((p) => p.items.map((i) => i.id));
    expect(seen).toEqual([named[0], named[2], named[4]]);
  });
});
