import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, eventAttendees, eventCoOrganizers, eventPhotos, events, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createEvent, createUser, mediaUrl, rsvp, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { BAD_IDEMPOTENCY_KEYS, expectBadKey, expectKeyReused, expectOneCreated, expectReplay, keyHeaders } from "../../../test/idempotency";
import { allPages } from "../../../test/pages";

const t = await useTestDatabase();

/** An organizer (signed in) and their published event. */
async function anEvent(overrides: Partial<typeof events.$inferInsert> = {}) {
  const organizer = await signedIn(t);
  const event = await createEvent(t.db, { userId: organizer.user.id, ...overrides });
  return { organizer, event };
}

/** A dancer (signed in) going to the event. */
async function goer(eventId: number) {
  const dancer = await signedIn(t);
  await rsvp(t.db, eventId, dancer.user.id, "going");
  return dancer;
}

const add = (eventId: number, token: string | undefined, json: unknown, key?: string) =>
  t.api.post(`/api/events/${eventId}/photos`, { token, json, headers: keyHeaders(key) });

async function photosOf(eventId: number) {
  return t.db.select().from(eventPhotos).where(eq(eventPhotos.eventId, eventId));
}

describe("POST /api/events/{id}/photos", () => {
  it("adds a dancer's photo (201) with its caption", async () => {
    const { event } = await anEvent();
    const dancer = await goer(event.id);
    const url = mediaUrl(t.env);
    const res = await add(event.id, dancer.token, { url, caption: "  La pista llena  " });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      eventId: event.id,
      author: { id: dancer.user.id, username: dancer.user.username, name: dancer.user.name, profileImage: null },
      url,
      caption: "La pista llena",
      hidden: false,
      createdAt: expect.stringMatching(/Z$/),
    });
    expect(await photosOf(event.id)).toEqual([expect.objectContaining({ id: res.body.id, userId: dancer.user.id, url })]);
  });

  it("takes photos from dancers checked in or going, and from the organizers", async () => {
    const { organizer, event } = await anEvent();
    const [checkedIn, going, co] = [await signedIn(t), await goer(event.id), await signedIn(t)];
    await t.db.insert(eventAttendees).values({ eventId: event.id, userId: checkedIn.user.id, method: "user" });
    await t.db.insert(eventCoOrganizers).values({ eventId: event.id, userId: co.user.id });
    for (const who of [checkedIn, going, organizer, co]) {
      const res = await add(event.id, who.token, { url: mediaUrl(t.env, "webp") });
      expect([res.status, res.body.caption]).toEqual([201, null]);
    }
    expect(await photosOf(event.id)).toHaveLength(4);
  });

  it("refuses dancers not at the event: interested, waitlisted, not going, strangers (403 not_attendee)", async () => {
    const { event } = await anEvent();
    const dancers = await Promise.all(Array.from({ length: 4 }, () => signedIn(t)));
    await rsvp(t.db, event.id, dancers[0]!.user.id, "interested");
    await rsvp(t.db, event.id, dancers[1]!.user.id, "waitlisted");
    await rsvp(t.db, event.id, dancers[2]!.user.id, "not_going");
    for (const who of dancers) {
      const res = await add(event.id, who.token, { url: mediaUrl(t.env) });
      expect([res.status, res.body.code]).toEqual([403, "not_attendee"]);
    }
    expect(await photosOf(event.id)).toEqual([]);
  });

  it("refuses a URL that is not an image uploaded here (400 media_url_not_allowed) and malformed input (400)", async () => {
    const { event } = await anEvent();
    const dancer = await goer(event.id);
    for (const url of [mediaUrl(t.env, "mp4"), "https://elsewhere.example/media/3q2-7wEjQyKlq0vKv9JzUw.jpg"]) {
      const res = await add(event.id, dancer.token, { url });
      expect([res.status, res.body.code]).toEqual([400, "media_url_not_allowed"]);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: "body.url" })]);
    }
    for (const json of [{}, { url: "not a url" }, { url: mediaUrl(t.env), caption: "x".repeat(301) }, { url: mediaUrl(t.env), caption: "\u0000" }]) {
      expect((await add(event.id, dancer.token, json)).status).toBe(400);
    }
    expect(await photosOf(event.id)).toEqual([]);
  });

  it("answers an outsider 404 or 403 before looking at the URL", async () => {
    const { event } = await anEvent();
    const draft = await anEvent({ status: "draft" });
    const stranger = await signedIn(t);
    const foreign = { url: "https://elsewhere.example/media/3q2-7wEjQyKlq0vKv9JzUw.jpg" };
    expect((await add(draft.event.id, stranger.token, foreign)).status).toBe(404);
    expect((await add(event.id, stranger.token, foreign)).status).toBe(403);
  });

  it("refuses a cancelled event (409 event_cancelled)", async () => {
    const { organizer, event } = await anEvent({ status: "cancelled", cancelledAt: new Date() });
    const dancer = await goer(event.id);
    for (const who of [dancer, organizer]) {
      const res = await add(event.id, who.token, { url: mediaUrl(t.env) });
      expect([res.status, res.body.code]).toEqual([409, "event_cancelled"]);
    }
  });

  it("is 404 for an event the dancer may not see, going or not: a draft, hidden, a block either way", async () => {
    const dancer = await signedIn(t);
    const worlds = [await anEvent({ status: "draft" }), await anEvent({ hiddenAt: new Date() }), await anEvent(), await anEvent()];
    await t.db.insert(blockedUsers).values([
      { blockerId: worlds[2]!.organizer.user.id, blockedId: dancer.user.id },
      { blockerId: dancer.user.id, blockedId: worlds[3]!.organizer.user.id },
    ]);
    for (const { event } of worlds) {
      await rsvp(t.db, event.id, dancer.user.id, "going");
      expect((await add(event.id, dancer.token, { url: mediaUrl(t.env) })).status).toBe(404);
    }
    expect((await add(2147483647, dancer.token, { url: mediaUrl(t.env) })).status).toBe(404);
  });

  it("is 401 anonymous", async () => {
    const { event } = await anEvent();
    expect((await add(event.id, undefined, { url: mediaUrl(t.env) })).status).toBe(401);
  });
});

describe("photos: races (exact on PostgreSQL)", () => {
  it("stores every photo a dancer adds at once, each once", async () => {
    const { event } = await anEvent();
    const dancer = await goer(event.id);
    const results = await Promise.all(Array.from({ length: 5 }, () => add(event.id, dancer.token, { url: mediaUrl(t.env) })));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(results.map((r) => r.body.id as number)).size).toBe(5);
    expect(await photosOf(event.id)).toHaveLength(5);
  });

  it("answers 201 or 404, never a 500, when photos race the event's deletion", async () => {
    const { event } = await anEvent();
    const dancers = await Promise.all(Array.from({ length: 3 }, () => goer(event.id)));
    const [results] = await Promise.all([
      Promise.all(dancers.map((d) => add(event.id, d.token, { url: mediaUrl(t.env) }))),
      t.db.delete(events).where(eq(events.id, event.id)),
    ]);
    for (const res of results) expect([201, 404]).toContain(res.status);
    expect(await photosOf(event.id)).toEqual([]);
  });

  it("answers 204 to one and 404 to the others when a photo is removed several times at once", async () => {
    const { organizer, event } = await anEvent();
    const dancer = await goer(event.id);
    const { id } = (await add(event.id, dancer.token, { url: mediaUrl(t.env) })).body;
    const results = await Promise.all(
      [dancer, organizer, dancer].map((who) => t.api.delete(`/api/events/${event.id}/photos/${id}`, { token: who.token })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([204, 404, 404]);
    expect(await photosOf(event.id)).toEqual([]);
  });
});

describe("POST /api/events/{id}/photos with an Idempotency-Key", () => {
  it("answers a repeat with the first 201 and adds the photo once", async () => {
    const { event } = await anEvent();
    const dancer = await goer(event.id);
    const json = { url: mediaUrl(t.env), caption: "Otra vez" };
    const key = unique("key");
    expectReplay(await add(event.id, dancer.token, json, key), await add(event.id, dancer.token, json, key));
    expect(await photosOf(event.id)).toHaveLength(1);
  });

  it("adds one photo for concurrent requests with one key", async () => {
    const { event } = await anEvent();
    const dancer = await goer(event.id);
    const json = { url: mediaUrl(t.env) };
    const key = unique("key");
    expectOneCreated(await Promise.all(Array.from({ length: 4 }, () => add(event.id, dancer.token, json, key))));
    expect(await photosOf(event.id)).toHaveLength(1);
  });

  it("refuses the key with another photo or on another event (422)", async () => {
    const [first, second] = [await anEvent(), await anEvent()];
    const dancer = await goer(first.event.id);
    await rsvp(t.db, second.event.id, dancer.user.id, "going");
    const json = { url: mediaUrl(t.env) };
    const key = unique("key");
    expect((await add(first.event.id, dancer.token, json, key)).status).toBe(201);
    expectKeyReused(await add(first.event.id, dancer.token, { url: mediaUrl(t.env) }, key));
    expectKeyReused(await add(second.event.id, dancer.token, json, key));
    expect(await photosOf(second.event.id)).toEqual([]);
  });

  it.each(BAD_IDEMPOTENCY_KEYS)("refuses a key that is %s (400)", async (_label, key) => {
    const { event } = await anEvent();
    const dancer = await goer(event.id);
    expectBadKey(await add(event.id, dancer.token, { url: mediaUrl(t.env) }, key));
    expect(await photosOf(event.id)).toEqual([]);
  });
});

describe("DELETE /api/events/{id}/photos/{photoId}", () => {
  async function photographed() {
    const world = await anEvent();
    const author = await goer(world.event.id);
    const { id } = (await add(world.event.id, author.token, { url: mediaUrl(t.env) })).body;
    return { ...world, author, photoId: id as number, path: `/api/events/${world.event.id}/photos/${id}` };
  }

  it("lets the author, the organizer or a co-organizer remove a photo (204)", async () => {
    for (const remover of ["author", "organizer", "co"] as const) {
      const { author, organizer, event, path } = await photographed();
      const co = await signedIn(t);
      await t.db.insert(eventCoOrganizers).values({ eventId: event.id, userId: co.user.id });
      const token = { author, organizer, co }[remover].token;
      expect((await t.api.delete(path, { token })).status, remover).toBe(204);
      expect(await photosOf(event.id)).toEqual([]);
      expect((await t.api.delete(path, { token })).status, remover).toBe(404);
    }
  });

  it("refuses anyone else who can see it, another dancer there and a moderator too (403 photo_delete_forbidden)", async () => {
    const { event, path } = await photographed();
    for (const who of [await goer(event.id), await signedIn(t, { role: "admin" })]) {
      const res = await t.api.delete(path, { token: who.token });
      expect([res.status, res.body.code]).toEqual([403, "photo_delete_forbidden"]);
    }
    expect(await photosOf(event.id)).toHaveLength(1);
  });

  it("is 404 under another event's id, for an unknown photo, a hidden one, or across a block with the author", async () => {
    const { author, event, photoId, path, organizer } = await photographed();
    const elsewhere = await anEvent();
    const [other, blocker] = [await goer(event.id), await signedIn(t)];
    await t.db.insert(blockedUsers).values({ blockerId: blocker.user.id, blockedId: author.user.id });
    expect((await t.api.delete(`/api/events/${elsewhere.event.id}/photos/${photoId}`, { token: author.token })).status).toBe(404);
    expect((await t.api.delete(`/api/events/${elsewhere.event.id}/photos/${photoId}`, { token: elsewhere.organizer.token })).status).toBe(404);
    expect((await t.api.delete(`/api/events/${event.id}/photos/2147483647`, { token: organizer.token })).status).toBe(404);
    expect((await t.api.delete(path, { token: blocker.token })).status).toBe(404);
    await t.db.update(eventPhotos).set({ hiddenAt: new Date() }).where(eq(eventPhotos.id, photoId));
    expect((await t.api.delete(path, { token: other.token })).status).toBe(404);
    expect(await photosOf(event.id)).toHaveLength(1);
  });

  it("lets the organizer remove a photo by a dancer they blocked (it still shows to everyone else)", async () => {
    const { author, organizer, event, path } = await photographed();
    await t.db.insert(blockedUsers).values({ blockerId: organizer.user.id, blockedId: author.user.id });
    expect((await t.api.get(`/api/events/${event.id}/photos`)).body.items).toHaveLength(1);
    expect((await t.api.delete(path, { token: organizer.token })).status).toBe(204);
    expect(await photosOf(event.id)).toEqual([]);
  });

  it("is 401 anonymous", async () => {
    const { path } = await photographed();
    expect((await t.api.delete(path)).status).toBe(401);
  });
});

describe("GET /api/events/{id}/photos", () => {
  it("lists the photos newest first, every one once across pages (equal times too), anonymous callers included", async () => {
    const { event } = await anEvent();
    const author = await createUser(t.db);
    const tie = new Date("2026-04-05T01:00:00.5Z");
    const times = [new Date("2026-04-05T00:00:00Z"), tie, tie, new Date("2026-04-05T03:00:00Z"), new Date("2026-04-05T00:30:00Z")];
    const rows = await t.db
      .insert(eventPhotos)
      .values(times.map((createdAt) => ({ eventId: event.id, userId: author.id, url: mediaUrl(t.env), createdAt })))
      .returning();
    const ids = rows.map((r) => r.id);
    const expected = [ids[3]!, ...[ids[1]!, ids[2]!].sort((a, b) => b - a), ids[4]!, ids[0]!];
    const pages = await allPages<{ id: number }>(t.api, `/api/events/${event.id}/photos?limit=2`);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.items.map((i) => i.id))).toEqual(expected);
  });

  it("shows a hidden photo to its author only, and leaves out blocked and suspended authors", async () => {
    const { event } = await anEvent();
    const [hiddenAuthor, blocked, suspended, shown, viewer] = [await signedIn(t), await createUser(t.db), await createUser(t.db), await createUser(t.db), await signedIn(t)];
    await t.db.insert(eventPhotos).values([
      { eventId: event.id, userId: hiddenAuthor.user.id, url: mediaUrl(t.env), hiddenAt: new Date() },
      { eventId: event.id, userId: blocked.id, url: mediaUrl(t.env) },
      { eventId: event.id, userId: suspended.id, url: mediaUrl(t.env) },
      { eventId: event.id, userId: shown.id, url: mediaUrl(t.env) },
    ]);
    await t.db.insert(blockedUsers).values({ blockerId: viewer.user.id, blockedId: blocked.id });
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, suspended.id));
    const authorsSeenBy = async (token?: string) =>
      ((await t.api.get(`/api/events/${event.id}/photos`, { token })).body.items as { author: { id: number } }[]).map((i) => i.author.id).sort();
    expect(await authorsSeenBy(viewer.token)).toEqual([shown.id]);
    expect(await authorsSeenBy()).toEqual([blocked.id, shown.id].sort());
    expect(await authorsSeenBy(hiddenAuthor.token)).toEqual([hiddenAuthor.user.id, blocked.id, shown.id].sort());
  });

  it("is 404 for an event the caller may not see, anonymous callers included", async () => {
    const { event, organizer } = await anEvent({ status: "draft" });
    await t.db.insert(eventPhotos).values({ eventId: event.id, userId: organizer.user.id, url: mediaUrl(t.env) });
    const viewer = await signedIn(t);
    expect((await t.api.get(`/api/events/${event.id}/photos`, { token: viewer.token })).status).toBe(404);
    expect((await t.api.get(`/api/events/${event.id}/photos`)).status).toBe(404);
    expect((await t.api.get(`/api/events/${event.id}/photos`, { token: organizer.token })).body.items).toHaveLength(1);
  });
});
