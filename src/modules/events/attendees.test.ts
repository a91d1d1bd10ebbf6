import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, eventRsvps, type events, users, userSettings } from "../../../drizzle/schema";
import { signedIn, tokenFor } from "../../../test/auth";
import { befriend, createEvent, createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { allPages } from "../../../test/pages";
import { answer, expectCountersExact } from "../../../test/rsvps";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

type Item = { id: number; status: string; role: string | null; position: number | null };

async function anEvent(overrides: Partial<typeof events.$inferInsert> = {}) {
  const organizer = await signedIn(t);
  const event = await createEvent(t.db, { userId: organizer.user.id, ...overrides });
  return { organizer, event };
}

/** The ids on every page of an attendee list, as `token` (anonymous without). */
async function listed(eventId: number, token?: string, query = "") {
  const pages = await allPages<Item>(t.api, `/api/events/${eventId}/attendees?limit=2${query}`, token);
  return pages.flatMap((p) => p.items.map((i) => i.id));
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe("GET /api/events/{id}/attendees: who is listed", () => {
  it("honours each attendee's profile visibility and blocks either way; organizers see everyone coming", async () => {
    const { organizer, event } = await anEvent();
    const viewer = await signedIn(t);
    const user = () => createUser(t.db);
    const [pub, friendOnly, strangerOnly, priv, blockedByViewer, blockerOfViewer, suspended] = await Promise.all([
      user(), user(), user(), user(), user(), user(), user(),
    ]);
    await t.db.insert(userSettings).values([
      { userId: friendOnly.id, profileVisibility: "friends" },
      { userId: strangerOnly.id, profileVisibility: "friends" },
      { userId: priv.id, profileVisibility: "private" },
    ]);
    await befriend(t.db, viewer.user.id, friendOnly.id);
    await t.db.insert(blockedUsers).values([
      { blockerId: viewer.user.id, blockedId: blockedByViewer.id },
      { blockerId: blockerOfViewer.id, blockedId: viewer.user.id },
    ]);
    const coming = [pub, friendOnly, strangerOnly, priv, blockedByViewer, blockerOfViewer, suspended];
    for (const u of coming) await answer(t.api, await tokenFor(t, u), event.id, { status: "going" });
    await answer(t.api, viewer.token, event.id, { status: "going" });
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, suspended.id));

    expect(sorted(await listed(event.id, viewer.token))).toEqual(sorted([pub.id, friendOnly.id, viewer.user.id]));
    expect(sorted(await listed(event.id))).toEqual(sorted([pub.id, blockedByViewer.id, blockerOfViewer.id, viewer.user.id]));
    expect(sorted(await listed(event.id, await tokenFor(t, priv)))).toEqual(
      sorted([pub.id, priv.id, blockedByViewer.id, blockerOfViewer.id, viewer.user.id]),
    );
    expect(sorted(await listed(event.id, organizer.token))).toEqual(
      sorted([pub.id, friendOnly.id, strangerOnly.id, priv.id, blockedByViewer.id, blockerOfViewer.id, viewer.user.id]),
    );
  });

  it("lists the interested apart from the going, with each dancer's role and answer time", async () => {
    const { event } = await anEvent();
    const [a, b] = await Promise.all([signedIn(t), signedIn(t)]);
    await answer(t.api, a.token, event.id, { status: "going", role: "leader" });
    await answer(t.api, b.token, event.id, { status: "interested" });
    const going = await t.api.get(`/api/events/${event.id}/attendees`, { token: a.token });
    expect(going.body).toEqual({
      items: [
        {
          id: a.user.id,
          username: a.user.username,
          name: a.user.name,
          profileImage: null,
          status: "going",
          role: "leader",
          respondedAt: expect.any(String),
          position: null,
        },
      ],
      nextCursor: null,
    });
    expect(await listed(event.id, a.token, "&status=interested")).toEqual([b.user.id]);
  });

  it("gives every going dancer once, newest answer first, across pages (equal times too)", async () => {
    const { event } = await anEvent();
    const people = await Promise.all(Array.from({ length: 7 }, () => createUser(t.db)));
    const tie = new Date("2026-02-01T20:00:00.123456Z");
    const times = [new Date("2026-01-01T20:00:00Z"), tie, tie, new Date("2026-03-01T20:00:00Z"), tie, new Date("2026-01-15T20:00:00Z"), tie];
    const made: { userId: number; rsvpId: number; at: number }[] = [];
    for (const [i, p] of people.entries()) {
      const [row] = await t.db.insert(eventRsvps).values({ eventId: event.id, userId: p.id, status: "going", createdAt: times[i] }).returning();
      made.push({ userId: p.id, rsvpId: row!.id, at: times[i]!.getTime() });
    }
    const expected = [...made].sort((a, b) => b.at - a.at || b.rsvpId - a.rsvpId).map((m) => m.userId);
    expect(await listed(event.id)).toEqual(expected);
  });
});

describe("GET /api/events/{id}/attendees?status=waitlisted", () => {
  it("shows organizers the line in order with positions, page by page", async () => {
    const { organizer, event } = await anEvent({ maxAttendees: 1 });
    const people = await Promise.all(Array.from({ length: 6 }, () => signedIn(t)));
    for (const p of people) await answer(t.api, p.token, event.id, { status: "going", role: "follower" });
    const pages = await allPages<Item>(t.api, `/api/events/${event.id}/attendees?status=waitlisted&limit=2`, organizer.token);
    const items = pages.flatMap((p) => p.items);
    expect(items.map((i) => i.id)).toEqual(people.slice(1).map((p) => p.user.id));
    expect(items.map((i) => i.position)).toEqual([1, 2, 3, 4, 5]);
    expect(items.every((i) => i.status === "waitlisted" && i.role === "follower")).toBe(true);
    await expectCountersExact(t.db, event.id);
  });

  it("is for organizers only: 403 waitlist_restricted to a dancer (even one in line) and to anonymous callers", async () => {
    const { event } = await anEvent({ maxAttendees: 1 });
    const [a, b] = await Promise.all([signedIn(t), signedIn(t)]);
    await answer(t.api, a.token, event.id, { status: "going" });
    await answer(t.api, b.token, event.id, { status: "going" });
    for (const token of [a.token, b.token, undefined]) {
      const res = await t.api.get(`/api/events/${event.id}/attendees?status=waitlisted`, { token });
      expect([res.status, res.body.code]).toEqual([403, "waitlist_restricted"]);
    }
  });
});

describe("GET /api/events/{id}/attendees: events one may not see, bad input", () => {
  it("is 404 for an unknown, draft, hidden or blocked event (anonymous too)", async () => {
    const { token, user } = await signedIn(t);
    const draft = (await anEvent({ status: "draft" })).event;
    const hidden = (await anEvent({ hiddenAt: new Date() })).event;
    const blocker = await anEvent();
    await t.db.insert(blockedUsers).values({ blockerId: blocker.organizer.user.id, blockedId: user.id });
    for (const id of [2147483647, draft.id, hidden.id, blocker.event.id]) {
      const res = await t.api.get(`/api/events/${id}/attendees`, { token });
      expect([res.status, res.body.code], String(id)).toEqual([404, "not_found"]);
    }
    for (const id of [draft.id, hidden.id]) expect((await t.api.get(`/api/events/${id}/attendees`)).status).toBe(404);
  });

  it.each([
    ["an unknown list", "status=not_going", "query.status"],
    ["a cursor that is not ours", "cursor=not-a-cursor", "query.cursor"],
    ["a cursor with a time that is not one", `cursor=${encodeCursor(["garbage", 1])}`, "query.cursor"],
    ["a waitlist cursor with a time that is not one", `status=waitlisted&cursor=${encodeCursor(["garbage", 1])}`, "query.cursor"],
    ["limit=0", "limit=0", "query.limit"],
  ])("refuses %s with 400", async (_label, query, path) => {
    const { organizer, event } = await anEvent();
    const res = await t.api.get(`/api/events/${event.id}/attendees?${query}`, { token: organizer.token });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path })]);
  });
});

describe("OpenAPI", () => {
  it("documents the attendee list", async () => {
    const { paths } = (await t.api.get("/openapi.json")).body;
    expect(paths["/api/events/{id}/attendees"].get).toBeDefined();
  });
});
