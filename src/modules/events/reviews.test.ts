import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, eventAttendees, eventCoOrganizers, eventReviews, events, notifications, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createEvent, createUser, rsvp, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { BAD_IDEMPOTENCY_KEYS, expectBadKey, expectKeyReused, expectOneCreated, expectReplay, keyHeaders } from "../../../test/idempotency";
import { allPages } from "../../../test/pages";
import { ASSUMED_DURATION_HOURS } from "./reviews.policy";

const t = await useTestDatabase();
const HOUR = 3_600_000;

type Dancer = Awaited<ReturnType<typeof signedIn>>;

/** An organizer's published event that ended yesterday (or as `overrides` say). */
async function anEvent(overrides: Partial<typeof events.$inferInsert> = {}) {
  const organizer = await signedIn(t);
  const event = await createEvent(t.db, {
    userId: organizer.user.id,
    startDate: new Date(Date.now() - 30 * HOUR),
    endDate: new Date(Date.now() - 24 * HOUR),
    ...overrides,
  });
  return { organizer, event };
}

async function checkIn(eventId: number, userId: number) {
  await t.db.insert(eventAttendees).values({ eventId, userId, method: "user" });
}

/** A dancer (signed in) checked in at the event. */
async function attendee(eventId: number): Promise<Dancer> {
  const dancer = await signedIn(t);
  await checkIn(eventId, dancer.user.id);
  return dancer;
}

const review = (eventId: number, token: string | undefined, json: unknown, key?: string) =>
  t.api.post(`/api/events/${eventId}/reviews`, { token, json, headers: keyHeaders(key) });

async function reviewsOf(eventId: number) {
  return t.db.select().from(eventReviews).where(eq(eventReviews.eventId, eventId));
}

async function notificationsOf(userId: number) {
  return t.db.select().from(notifications).where(eq(notifications.userId, userId));
}

describe("POST /api/events/{id}/reviews", () => {
  it("lets a dancer checked in review the event once it ended (201), and notifies the organizer", async () => {
    const { organizer, event } = await anEvent();
    const dancer = await attendee(event.id);
    const res = await review(event.id, dancer.token, { rating: 5, text: "  Una noche hermosa  " });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      eventId: event.id,
      author: { id: dancer.user.id, username: dancer.user.username, name: dancer.user.name, profileImage: null },
      rating: 5,
      text: "Una noche hermosa",
      edited: false,
      hidden: false,
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: res.body.createdAt,
    });
    expect(await reviewsOf(event.id)).toEqual([expect.objectContaining({ userId: dancer.user.id, rating: 5 })]);
    expect(await notificationsOf(organizer.user.id)).toEqual([
      expect.objectContaining({
        type: "event_review",
        actorId: dancer.user.id,
        subjectType: "event",
        subjectId: event.id,
        count: 1,
        data: expect.objectContaining({ eventId: event.id, eventTitle: event.title, rating: 5 }),
      }),
    ]);
  });

  it("takes a rating without text, or with empty text, as a review without one", async () => {
    const { event } = await anEvent();
    const [ana, bruno] = [await attendee(event.id), await attendee(event.id)];
    expect((await review(event.id, ana.token, { rating: 3 })).body.text).toBeNull();
    expect((await review(event.id, bruno.token, { rating: 4, text: "   " })).body.text).toBeNull();
  });

  it("refuses a dancer who was not checked in, even one who was going (403 not_checked_in)", async () => {
    const { event } = await anEvent();
    const [going, stranger] = [await signedIn(t), await signedIn(t)];
    await rsvp(t.db, event.id, going.user.id, "going");
    for (const who of [going, stranger]) {
      const res = await review(event.id, who.token, { rating: 4 });
      expect([res.status, res.body.code]).toEqual([403, "not_checked_in"]);
    }
    expect(await reviewsOf(event.id)).toEqual([]);
  });

  it("refuses a review before the event ends (409 event_not_ended), by its end time or its start without one", async () => {
    const running = await anEvent({ startDate: new Date(Date.now() - 2 * HOUR), endDate: new Date(Date.now() + HOUR) });
    const noEnd = await anEvent({ startDate: new Date(Date.now() - (ASSUMED_DURATION_HOURS - 1) * HOUR), endDate: null });
    for (const { event } of [running, noEnd]) {
      const dancer = await attendee(event.id);
      const res = await review(event.id, dancer.token, { rating: 4 });
      expect([res.status, res.body.code]).toEqual([409, "event_not_ended"]);
      expect(await reviewsOf(event.id)).toEqual([]);
    }
    const ended = await anEvent({ startDate: new Date(Date.now() - (ASSUMED_DURATION_HOURS + 1) * HOUR), endDate: null });
    expect((await review(ended.event.id, (await attendee(ended.event.id)).token, { rating: 4 })).status).toBe(201);
  });

  it("refuses a second review by the same dancer (409 already_reviewed), keeping the first", async () => {
    const { event } = await anEvent();
    const dancer = await attendee(event.id);
    expect((await review(event.id, dancer.token, { rating: 2 })).status).toBe(201);
    const again = await review(event.id, dancer.token, { rating: 5 });
    expect([again.status, again.body.code]).toEqual([409, "already_reviewed"]);
    expect((await reviewsOf(event.id)).map((r) => r.rating)).toEqual([2]);
  });

  it("refuses the organizers, checked in or not (403 organizer_cannot_review)", async () => {
    const { organizer, event } = await anEvent();
    const co = await attendee(event.id);
    await t.db.insert(eventCoOrganizers).values({ eventId: event.id, userId: co.user.id });
    await checkIn(event.id, organizer.user.id);
    for (const who of [organizer, co]) {
      const res = await review(event.id, who.token, { rating: 5 });
      expect([res.status, res.body.code]).toEqual([403, "organizer_cannot_review"]);
    }
  });

  it.each([
    ["no rating", { text: "nice" }],
    ["a rating of 0", { rating: 0 }],
    ["a rating of 6", { rating: 6 }],
    ["a fractional rating", { rating: 4.5 }],
    ["a rating as text", { rating: "5" }],
    ["text over 2000 characters", { rating: 5, text: "x".repeat(2001) }],
    ["text with a control character", { rating: 5, text: "bell\u0007" }],
  ])("refuses %s (400)", async (_label, json) => {
    const { event } = await anEvent();
    const dancer = await attendee(event.id);
    const res = await review(event.id, dancer.token, json);
    expect([res.status, res.body.code]).toEqual([400, "validation_failed"]);
    expect(await reviewsOf(event.id)).toEqual([]);
  });

  it("is 404 for an event the dancer may not see, checked in or not: a draft, hidden, a block either way", async () => {
    const draft = await anEvent({ status: "draft" });
    const hidden = await anEvent({ hiddenAt: new Date() });
    const blocking = await anEvent();
    const blocked = await anEvent();
    const dancer = await signedIn(t);
    await t.db.insert(blockedUsers).values([
      { blockerId: blocking.organizer.user.id, blockedId: dancer.user.id },
      { blockerId: dancer.user.id, blockedId: blocked.organizer.user.id },
    ]);
    for (const { event } of [draft, hidden, blocking, blocked]) {
      await checkIn(event.id, dancer.user.id);
      expect((await review(event.id, dancer.token, { rating: 1 })).status).toBe(404);
      expect(await reviewsOf(event.id)).toEqual([]);
    }
    expect((await review(2147483647, dancer.token, { rating: 1 })).status).toBe(404);
  });

  it("is 401 anonymous", async () => {
    const { event } = await anEvent();
    expect((await review(event.id, undefined, { rating: 5 })).status).toBe(401);
  });
});

describe("reviews: races (exact on PostgreSQL)", () => {
  it("stores one review when the same dancer sends several at once: one 201, the rest 409", async () => {
    const { organizer, event } = await anEvent();
    const dancer = await attendee(event.id);
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => review(event.id, dancer.token, { rating: i + 1 })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(await reviewsOf(event.id)).toHaveLength(1);
    expect((await notificationsOf(organizer.user.id)).map((n) => n.count)).toEqual([1]);
  });

  it("coalesces the organizer's notification when several dancers review at once", async () => {
    const { organizer, event } = await anEvent();
    const dancers = await Promise.all(Array.from({ length: 4 }, () => attendee(event.id)));
    const results = await Promise.all(dancers.map((d) => review(event.id, d.token, { rating: 4 })));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect((await notificationsOf(organizer.user.id)).map((n) => [n.type, n.count])).toEqual([["event_review", 4]]);
  });

  it("answers 201 or 404, never a 500, when reviews race the event's deletion", async () => {
    const { event } = await anEvent();
    const dancers = await Promise.all(Array.from({ length: 3 }, () => attendee(event.id)));
    const [results] = await Promise.all([
      Promise.all(dancers.map((d) => review(event.id, d.token, { rating: 3 }))),
      t.db.delete(events).where(eq(events.id, event.id)),
    ]);
    for (const res of results) expect([201, 404]).toContain(res.status);
    expect(await reviewsOf(event.id)).toEqual([]);
  });

  it("answers 200, 204 or 404, never a 500, when edits race the review's deletion (deleted once)", async () => {
    const { event } = await anEvent();
    const dancer = await attendee(event.id);
    const { id } = (await review(event.id, dancer.token, { rating: 3 })).body;
    const path = `/api/events/${event.id}/reviews/${id}`;
    const results = await Promise.all([
      t.api.patch(path, { token: dancer.token, json: { rating: 4 } }),
      t.api.delete(path, { token: dancer.token }),
      t.api.patch(path, { token: dancer.token, json: { text: "late" } }),
      t.api.delete(path, { token: dancer.token }),
    ]);
    for (const res of results) expect([200, 204, 404]).toContain(res.status);
    expect(results.filter((r) => r.status === 204)).toHaveLength(1);
    expect(await reviewsOf(event.id)).toEqual([]);
  });
});

describe("POST /api/events/{id}/reviews with an Idempotency-Key", () => {
  it("answers a repeat with the first 201 (Idempotent-Replayed), not 409 already_reviewed", async () => {
    const { event } = await anEvent();
    const dancer = await attendee(event.id);
    const key = unique("key");
    expectReplay(await review(event.id, dancer.token, { rating: 5 }, key), await review(event.id, dancer.token, { rating: 5 }, key));
    expect(await reviewsOf(event.id)).toHaveLength(1);
  });

  it("creates one review for concurrent requests with one key, all answered the same 201", async () => {
    const { event } = await anEvent();
    const dancer = await attendee(event.id);
    const key = unique("key");
    expectOneCreated(await Promise.all(Array.from({ length: 4 }, () => review(event.id, dancer.token, { rating: 4 }, key))));
    expect(await reviewsOf(event.id)).toHaveLength(1);
  });

  it("refuses the key with another body or on another event (422), and keeps 409 under another key", async () => {
    const first = await anEvent();
    const second = await anEvent();
    const dancer = await attendee(first.event.id);
    await checkIn(second.event.id, dancer.user.id);
    const key = unique("key");
    expect((await review(first.event.id, dancer.token, { rating: 5 }, key)).status).toBe(201);
    expectKeyReused(await review(first.event.id, dancer.token, { rating: 1 }, key));
    expectKeyReused(await review(second.event.id, dancer.token, { rating: 5 }, key));
    expect((await review(first.event.id, dancer.token, { rating: 5 }, unique("key"))).status).toBe(409);
    expect(await reviewsOf(second.event.id)).toEqual([]);
  });

  it("stores no key for a refused review: once the dancer is checked in, the same key reviews", async () => {
    const { event } = await anEvent();
    const dancer = await signedIn(t);
    const key = unique("key");
    expect((await review(event.id, dancer.token, { rating: 5 }, key)).status).toBe(403);
    await checkIn(event.id, dancer.user.id);
    const res = await review(event.id, dancer.token, { rating: 5 }, key);
    expect([res.status, res.headers.get("Idempotent-Replayed")]).toEqual([201, null]);
  });

  it.each(BAD_IDEMPOTENCY_KEYS)("refuses a key that is %s (400)", async (_label, key) => {
    const { event } = await anEvent();
    const dancer = await attendee(event.id);
    expectBadKey(await review(event.id, dancer.token, { rating: 5 }, key));
    expect(await reviewsOf(event.id)).toEqual([]);
  });
});

describe("PATCH and DELETE /api/events/{id}/reviews/{reviewId}", () => {
  async function reviewed() {
    const world = await anEvent();
    const author = await attendee(world.event.id);
    const res = await review(world.event.id, author.token, { rating: 3, text: "Good floor" });
    return { ...world, author, reviewId: res.body.id as number, path: `/api/events/${world.event.id}/reviews/${res.body.id}` };
  }

  it("lets the author change the rating, the text or both (edited, updatedAt moves); an empty text removes it", async () => {
    const { author, path, reviewId } = await reviewed();
    await t.db.update(eventReviews).set({ createdAt: new Date("2026-01-01T00:00:00Z"), updatedAt: new Date("2026-01-01T00:00:00Z") }).where(eq(eventReviews.id, reviewId));
    const rating = await t.api.patch(path, { token: author.token, json: { rating: 5 } });
    expect(rating.status).toBe(200);
    expect(rating.body).toMatchObject({ id: reviewId, rating: 5, text: "Good floor", edited: true, createdAt: "2026-01-01T00:00:00.000Z" });
    expect(rating.body.updatedAt).not.toBe("2026-01-01T00:00:00.000Z");
    const text = await t.api.patch(path, { token: author.token, json: { text: "Great floor" } });
    expect(text.body).toMatchObject({ rating: 5, text: "Great floor" });
    const both = await t.api.patch(path, { token: author.token, json: { rating: 1, text: "" } });
    expect(both.body).toMatchObject({ rating: 1, text: null });
    const [row] = await t.db.select().from(eventReviews).where(eq(eventReviews.id, reviewId));
    expect(row).toMatchObject({ rating: 1, text: null });
  });

  it("refuses a change of nothing, or a bad rating (400)", async () => {
    const { author, path } = await reviewed();
    for (const json of [{}, { rating: 0 }, { rating: 7 }, { text: 5 }]) {
      expect((await t.api.patch(path, { token: author.token, json })).status).toBe(400);
    }
    const nothing = await t.api.patch(path, { token: author.token, json: {} });
    expect(nothing.body.errors).toEqual([{ path: "body", message: "Give rating, text or both" }]);
  });

  it("answers anyone else 403 (or 404) for a change of nothing, before telling them it is one", async () => {
    const { path, event } = await reviewed();
    const [other, blocked] = [await attendee(event.id), await signedIn(t)];
    expect((await t.api.patch(path, { token: other.token, json: {} })).status).toBe(403);
    expect((await t.api.patch(path.replace(/reviews\/\d+$/, "reviews/2147483647"), { token: blocked.token, json: {} })).status).toBe(404);
  });

  it("lets the author delete it (204), after which they may review again", async () => {
    const { author, event, path } = await reviewed();
    expect((await t.api.delete(path, { token: author.token })).status).toBe(204);
    expect(await reviewsOf(event.id)).toEqual([]);
    expect((await t.api.delete(path, { token: author.token })).status).toBe(404);
    expect((await review(event.id, author.token, { rating: 4 })).status).toBe(201);
  });

  it("refuses anyone else who can see the review, the organizer and a moderator too (403 not_review_author)", async () => {
    const { organizer, path, event, reviewId } = await reviewed();
    const [other, admin] = [await attendee(event.id), await signedIn(t, { role: "admin" })];
    for (const who of [organizer, other, admin]) {
      const edit = await t.api.patch(path, { token: who.token, json: { rating: 1 } });
      expect([edit.status, edit.body.code]).toEqual([403, "not_review_author"]);
      const del = await t.api.delete(path, { token: who.token });
      expect([del.status, del.body.code]).toEqual([403, "not_review_author"]);
    }
    const [row] = await t.db.select().from(eventReviews).where(eq(eventReviews.id, reviewId));
    expect(row).toMatchObject({ rating: 3, text: "Good floor" });
  });

  it("is 404 under another event's id, for an unknown review, and across a block with the author", async () => {
    const { author, reviewId, path } = await reviewed();
    const elsewhere = await anEvent();
    const blocker = await signedIn(t);
    await t.db.insert(blockedUsers).values({ blockerId: blocker.user.id, blockedId: author.user.id });
    const wrong = `/api/events/${elsewhere.event.id}/reviews/${reviewId}`;
    expect((await t.api.patch(wrong, { token: author.token, json: { rating: 1 } })).status).toBe(404);
    expect((await t.api.delete(wrong, { token: author.token })).status).toBe(404);
    expect((await t.api.patch(`${path.replace(/\d+$/, "2147483647")}`, { token: author.token, json: { rating: 1 } })).status).toBe(404);
    expect((await t.api.delete(path, { token: blocker.token })).status).toBe(404);
  });

  it("lets the author edit and delete a review moderation hid, but not a review of an event they may no longer see", async () => {
    const { author, path, reviewId, event, organizer } = await reviewed();
    await t.db.update(eventReviews).set({ hiddenAt: new Date() }).where(eq(eventReviews.id, reviewId));
    expect((await t.api.patch(path, { token: author.token, json: { rating: 2 } })).body).toMatchObject({ rating: 2, hidden: true });
    await t.db.insert(blockedUsers).values({ blockerId: organizer.user.id, blockedId: author.user.id });
    expect((await t.api.patch(path, { token: author.token, json: { rating: 4 } })).status).toBe(404);
    expect(await reviewsOf(event.id)).toHaveLength(1);
  });

  it("is 401 anonymous", async () => {
    const { path } = await reviewed();
    expect((await t.api.patch(path, { json: { rating: 1 } })).status).toBe(401);
    expect((await t.api.delete(path)).status).toBe(401);
  });
});

describe("GET /api/events/{id}/reviews", () => {
  it("lists the reviews newest first, every one once across pages (equal times too), anonymous callers included", async () => {
    const { event } = await anEvent();
    const authors = await Promise.all(Array.from({ length: 5 }, () => createUser(t.db)));
    const tie = new Date("2026-04-02T10:00:00.654321Z");
    const times = [new Date("2026-04-02T09:00:00Z"), tie, tie, new Date("2026-04-03T09:00:00Z"), new Date("2026-04-02T09:30:00Z")];
    const rows = await t.db
      .insert(eventReviews)
      .values(authors.map((a, i) => ({ eventId: event.id, userId: a.id, rating: i + 1, createdAt: times[i], updatedAt: times[i] })))
      .returning();
    const ids = rows.map((r) => r.id);
    const expected = [ids[3]!, ...[ids[1]!, ids[2]!].sort((a, b) => b - a), ids[4]!, ids[0]!];
    const anonymous = await allPages<{ id: number }>(t.api, `/api/events/${event.id}/reviews?limit=2`);
    expect(anonymous.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(anonymous.flatMap((p) => p.items.map((i) => i.id))).toEqual(expected);
    const viewer = await signedIn(t);
    const signed = await allPages<{ id: number }>(t.api, `/api/events/${event.id}/reviews?limit=3`, viewer.token);
    expect(signed.flatMap((p) => p.items.map((i) => i.id))).toEqual(expected);
  });

  it("shows a hidden review to its author only, and leaves out blocked and suspended authors", async () => {
    const { event } = await anEvent();
    const [hiddenAuthor, blocker, suspended, shown] = [await signedIn(t), await createUser(t.db), await createUser(t.db), await createUser(t.db)];
    const viewer = await signedIn(t);
    await t.db.insert(eventReviews).values([
      { eventId: event.id, userId: hiddenAuthor.user.id, rating: 1, hiddenAt: new Date() },
      { eventId: event.id, userId: blocker.id, rating: 2 },
      { eventId: event.id, userId: suspended.id, rating: 3 },
      { eventId: event.id, userId: shown.id, rating: 4 },
    ]);
    await t.db.insert(blockedUsers).values({ blockerId: blocker.id, blockedId: viewer.user.id });
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, suspended.id));
    const authorsSeenBy = async (token?: string) =>
      ((await t.api.get(`/api/events/${event.id}/reviews`, { token })).body.items as { author: { id: number } }[]).map((i) => i.author.id).sort();
    expect(await authorsSeenBy(viewer.token)).toEqual([shown.id]);
    expect(await authorsSeenBy()).toEqual([blocker.id, shown.id].sort());
    expect(await authorsSeenBy(hiddenAuthor.token)).toEqual([hiddenAuthor.user.id, blocker.id, shown.id].sort());
  });

  it("is 404 for an event the caller may not see, anonymous callers included", async () => {
    const draft = await anEvent({ status: "draft" });
    const viewer = await signedIn(t);
    await t.db.insert(eventReviews).values({ eventId: draft.event.id, userId: viewer.user.id, rating: 5 });
    expect((await t.api.get(`/api/events/${draft.event.id}/reviews`, { token: viewer.token })).status).toBe(404);
    expect((await t.api.get(`/api/events/${draft.event.id}/reviews`)).status).toBe(404);
    expect((await t.api.get(`/api/events/${draft.event.id}/reviews`, { token: draft.organizer.token })).body.items).toHaveLength(1);
  });
});
