import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  eventCoOrganizers,
  eventReviews,
  eventRsvps,
  eventSeries,
  eventTickets,
  events,
  notifications,
  userSettings,
} from "../../../drizzle/schema";
import { signedIn, tokenFor } from "../../../test/auth";
import { befriend, createEvent, createGroupWithAdmin, createUser, follow, mediaUrl, rsvp, unique } from "../../../test/factories";
import { createVenue } from "../../../test/directory";
import { useTestDatabase } from "../../../test/harness";

const t = await useTestDatabase();

/** A valid create body: a milonga in Buenos Aires a year from now (overrides win). */
function eventBody(overrides: Record<string, unknown> = {}) {
  return {
    title: `Milonga ${unique()}`,
    eventType: "milonga",
    startDate: "2031-03-07T21:00:00-03:00",
    location: "Salon Canning",
    ...overrides,
  };
}

async function eventRow(id: number) {
  const [row] = await t.db.select().from(events).where(eq(events.id, id));
  return row;
}

async function noticesOf(eventId: number, type: string) {
  const rows = await t.db
    .select({ userId: notifications.userId, actorId: notifications.actorId, data: notifications.data })
    .from(notifications)
    .where(and(eq(notifications.type, type), eq(notifications.subjectType, "event"), eq(notifications.subjectId, eventId)))
    .orderBy(notifications.userId);
  return rows;
}

/** An event with a co-organizer: the organizer, the co-organizer and a stranger, each with a token. */
async function organizedEvent(overrides: Partial<typeof events.$inferInsert> = {}) {
  const [organizer, co, stranger] = await Promise.all([signedIn(t), signedIn(t), signedIn(t)]);
  const event = await createEvent(t.db, { userId: organizer.user.id, ...overrides });
  await t.db.insert(eventCoOrganizers).values({ eventId: event.id, userId: co.user.id, addedBy: organizer.user.id });
  return { event, organizer, co, stranger };
}

describe("POST /api/events: happy paths", () => {
  it("creates an event (201) with every field, answering the card as the detail shows it", async () => {
    const { user, token } = await signedIn(t);
    const group = await createGroupWithAdmin(t.db, user.id);
    const imageUrl = mediaUrl(t.env, "jpg");
    const res = await t.api.post("/api/events", {
      token,
      json: eventBody({
        title: "  Festival de Invierno  ",
        description: "Three nights\nof tango",
        eventType: "festival",
        startDate: "2031-07-10T20:00:00-03:00",
        endDate: "2031-07-13T04:00:00-03:00",
        timezone: "america/argentina/buenos_aires",
        location: "Club Gricel",
        venue: "Gricel",
        address: "La Rioja 1180",
        city: "Buenos Aires",
        country: "Argentina",
        latitude: -34.6245,
        longitude: -58.4122,
        isOnline: true,
        meetingUrl: "https://meet.example.com/festival",
        price: "45.50",
        currency: "usd",
        ticketUrl: "https://tickets.example.com/festival",
        maxAttendees: 300,
        maxLeaders: 150,
        maxFollowers: 150,
        tags: ["Vals", "tradicional", "vals"],
        imageUrl,
        groupId: group.id,
      }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      organizer: { id: user.id, username: user.username },
      title: "Festival de Invierno",
      description: "Three nights\nof tango",
      eventType: "festival",
      status: "published",
      startDate: "2031-07-10T23:00:00.000Z",
      endDate: "2031-07-13T07:00:00.000Z",
      timezone: expect.stringMatching(/^America\/(Argentina\/)?Buenos_Aires$/),
      latitude: -34.6245,
      longitude: -58.4122,
      isOnline: true,
      meetingUrl: "https://meet.example.com/festival",
      isPaid: true,
      price: "45.50",
      currency: "USD",
      maxAttendees: 300,
      maxLeaders: 150,
      maxFollowers: 150,
      counts: { going: 0, leaders: 0, followers: 0, interested: 0, waitlisted: 0 },
      tags: ["vals", "tradicional"],
      imageUrl,
      groupId: group.id,
      series: null,
      sequence: 0,
      cancelledAt: null,
      hidden: false,
      viewer: { rsvp: null, manages: true, isOrganizer: true },
      circleGoing: { friends: 0, following: 0, sample: [] },
    });
    const detail = await t.api.get(`/api/events/${res.body.id}`, { token });
    expect(detail.body).toEqual({ ...res.body, rating: { average: null, reviews: 0 } });
    const row = await eventRow(res.body.id);
    expect(row).toMatchObject({ userId: user.id, isPaid: true, latitude: "-34.6245", longitude: "-58.4122", groupId: group.id });
    const { rows } = await t.db.execute<{ lng: number; lat: number }>(sql`SELECT geo[0] AS lng, geo[1] AS lat FROM events WHERE id = ${res.body.id}`);
    expect(rows[0]).toEqual({ lng: -58.4122, lat: -34.6245 });
  });

  it("defaults: published, UTC, not online, free, no limit; a zero price is free", async () => {
    const { token } = await signedIn(t);
    const res = await t.api.post("/api/events", { token, json: eventBody({ price: "0", currency: "EUR" }) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: "published",
      description: "",
      timezone: "UTC",
      isOnline: false,
      isPaid: false,
      price: "0",
      maxAttendees: null,
      tags: [],
      endDate: null,
    });
  });

  it("keeps a draft for its organizers only", async () => {
    const { token } = await signedIn(t);
    const draft = await t.api.post("/api/events", { token, json: eventBody({ status: "draft" }) });
    expect(draft.body.status).toBe("draft");
    expect((await t.api.get(`/api/events/${draft.body.id}`, { token })).status).toBe(200);
    const other = await signedIn(t);
    expect((await t.api.get(`/api/events/${draft.body.id}`, { token: other.token })).status).toBe(404);
    expect((await t.api.get(`/api/events/${draft.body.id}`)).status).toBe(404);
  });

  it("lets a group's moderator host in it, not a plain member nor a pending one (403 not_group_host)", async () => {
    const [admin, moderator, member, pending] = await Promise.all([signedIn(t), signedIn(t), signedIn(t), signedIn(t)]);
    const group = await createGroupWithAdmin(t.db, admin.user.id, {
      members: [
        { userId: moderator.user.id, role: "moderator" },
        { userId: member.user.id },
        { userId: pending.user.id, role: "admin", status: "pending" },
      ],
    });
    expect((await t.api.post("/api/events", { token: moderator.token, json: eventBody({ groupId: group.id }) })).status).toBe(201);
    for (const dancer of [member, pending]) {
      const res = await t.api.post("/api/events", { token: dancer.token, json: eventBody({ groupId: group.id }) });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: "not_group_host", errors: [{ path: "body.groupId" }] });
    }
    const hidden = await createGroupWithAdmin(t.db, admin.user.id, { hiddenAt: new Date() });
    expect((await t.api.post("/api/events", { token: admin.token, json: eventBody({ groupId: hidden.id }) })).body.code).toBe("not_group_host");
    expect((await t.api.post("/api/events", { token: admin.token, json: eventBody({ groupId: 2147483647 }) })).body.code).toBe("not_group_host");
  });
});

describe("GET /api/events/{id}", () => {
  it("gives the counts per status and role, the viewer's RSVP with the waitlist position, and the rating of visible reviews", async () => {
    const { event, organizer } = await organizedEvent({ maxAttendees: 3, maxLeaders: 2, maxFollowers: 2 });
    const dancers = await Promise.all(Array.from({ length: 7 }, () => signedIn(t)));
    await rsvp(t.db, event.id, dancers[0]!.user.id, "going", "leader");
    await rsvp(t.db, event.id, dancers[1]!.user.id, "going", "follower");
    await rsvp(t.db, event.id, dancers[2]!.user.id, "going");
    await rsvp(t.db, event.id, dancers[3]!.user.id, "interested");
    await rsvp(t.db, event.id, dancers[4]!.user.id, "waitlisted", "leader");
    await rsvp(t.db, event.id, dancers[5]!.user.id, "waitlisted", "follower");
    await rsvp(t.db, event.id, dancers[6]!.user.id, "not_going");
    await t.db.insert(eventReviews).values([
      { eventId: event.id, userId: dancers[0]!.user.id, rating: 5 },
      { eventId: event.id, userId: dancers[1]!.user.id, rating: 4 },
      { eventId: event.id, userId: dancers[2]!.user.id, rating: 1, hiddenAt: new Date() },
    ]);
    const as = async (token?: string) => (await t.api.get<Record<string, any>>(`/api/events/${event.id}`, { token })).body;
    const seen = await as(dancers[5]!.token);
    expect(seen.counts).toEqual({ going: 3, leaders: 1, followers: 1, interested: 1, waitlisted: 2 });
    expect(seen.rating).toEqual({ average: 4.5, reviews: 2 });
    expect(seen.viewer).toEqual({ rsvp: { status: "waitlisted", role: "follower", position: 2 }, manages: false, isOrganizer: false });
    expect((await as(dancers[4]!.token)).viewer.rsvp).toEqual({ status: "waitlisted", role: "leader", position: 1 });
    expect((await as(dancers[0]!.token)).viewer.rsvp).toEqual({ status: "going", role: "leader", position: null });
    expect((await as(dancers[6]!.token)).viewer.rsvp).toEqual({ status: "not_going", role: null, position: null });
    expect((await as(organizer.token)).viewer).toEqual({ rsvp: null, manages: true, isOrganizer: true });
    const anonymous = await as();
    expect(anonymous.viewer).toEqual({ rsvp: null, manages: false, isOrganizer: false });
    expect(anonymous.circleGoing).toEqual({ friends: 0, following: 0, sample: [] });
  });

  it("shows an online event's meeting URL only to its organizers and the dancers going", async () => {
    const { event, organizer, co, stranger } = await organizedEvent({ isOnline: true, meetingUrl: "https://meet.example.com/x" });
    const [going, interested, waitlisted] = await Promise.all([signedIn(t), signedIn(t), signedIn(t)]);
    await rsvp(t.db, event.id, going.user.id, "going");
    await rsvp(t.db, event.id, interested.user.id, "interested");
    await rsvp(t.db, event.id, waitlisted.user.id, "waitlisted");
    const url = async (token?: string): Promise<unknown> => (await t.api.get(`/api/events/${event.id}`, { token })).body.meetingUrl;
    for (const who of [organizer, co, going]) expect(await url(who.token)).toBe("https://meet.example.com/x");
    for (const who of [interested, waitlisted, stranger]) expect(await url(who.token)).toBeNull();
    expect(await url()).toBeNull();
  });

  it("counts the viewer's friends and follows going, as their profiles allow, friends closest first", async () => {
    const { user: me, token } = await signedIn(t);
    const event = await createEvent(t.db, { userId: (await createUser(t.db)).id });
    const [close, distant, friendsOnly, secret, followed, followedFriendsOnly, suspended, blocked, stranger] = await Promise.all(
      Array.from({ length: 9 }, () => createUser(t.db)),
    );
    await befriend(t.db, me.id, close!.id, { closenessScore: 95 });
    await befriend(t.db, me.id, distant!.id, { closenessScore: 40 });
    await befriend(t.db, me.id, friendsOnly!.id, { closenessScore: 60 });
    await befriend(t.db, me.id, secret!.id, { closenessScore: 99 });
    await befriend(t.db, me.id, suspended!.id);
    await follow(t.db, me.id, followed!.id);
    await follow(t.db, me.id, followedFriendsOnly!.id);
    await follow(t.db, me.id, close!.id);
    await follow(t.db, me.id, blocked!.id);
    await t.db.execute(sql`INSERT INTO blocked_users (blocker_id, blocked_id) VALUES (${blocked!.id}, ${me.id})`);
    await t.db.insert(userSettings).values([
      { userId: friendsOnly!.id, profileVisibility: "friends" },
      { userId: secret!.id, profileVisibility: "private" },
      { userId: followedFriendsOnly!.id, profileVisibility: "friends" },
    ]);
    await t.db.execute(sql`UPDATE users SET suspended = true WHERE id = ${suspended!.id}`);
    for (const dancer of [close, distant, friendsOnly, secret, followed, followedFriendsOnly, suspended, blocked, stranger]) {
      await rsvp(t.db, event.id, dancer!.id, "going");
    }
    const interested = await createUser(t.db);
    await befriend(t.db, me.id, interested.id);
    await rsvp(t.db, event.id, interested.id, "interested");

    const card = (u: typeof me) => ({ id: u.id, username: u.username, name: u.name, profileImage: null });
    const detail = (await t.api.get(`/api/events/${event.id}`, { token })).body;
    expect(detail.circleGoing).toEqual({
      friends: 3,
      following: 1,
      sample: [card(close!), card(friendsOnly!), card(distant!), card(followed!)],
    });
    const listed = await t.api.get(`/api/events?from=2000-01-01&city=${encodeURIComponent(event.city!)}&limit=100`, { token });
    const item = listed.body.items.find((e: { id: number }) => e.id === event.id);
    expect(item.circleGoing).toEqual({ friends: 3, following: 1, sample: [card(close!), card(friendsOnly!), card(distant!)] });
  });

  it("is a 404 for an id that names nothing, and a 400 for one that is not an id", async () => {
    expect((await t.api.get("/api/events/2147483647")).status).toBe(404);
    expect((await t.api.get("/api/events/abc")).status).toBe(400);
  });
});

describe("PATCH /api/events/{id}", () => {
  it("lets the organizer and a co-organizer edit, bumping sequence and updated_at each time; null clears a field", async () => {
    const { event, organizer, co } = await organizedEvent({ venue: "Canning", maxAttendees: 100 });
    const first = await t.api.patch(`/api/events/${event.id}`, { token: organizer.token, json: { title: "Milonga nueva", venue: null } });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ title: "Milonga nueva", venue: null, sequence: 1, maxAttendees: 100 });
    const second = await t.api.patch(`/api/events/${event.id}`, {
      token: co.token,
      json: { startDate: "2031-01-01T22:00:00+01:00", timezone: "Europe/Berlin", maxAttendees: null, tags: ["Nuevo"] },
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ startDate: "2031-01-01T21:00:00.000Z", timezone: "Europe/Berlin", maxAttendees: null, tags: ["nuevo"], sequence: 2 });
    expect(second.body.viewer).toEqual({ rsvp: null, manages: true, isOrganizer: false });
    const row = await eventRow(event.id);
    expect(row!.updatedAt!.getTime()).toBeGreaterThan(event.updatedAt!.getTime());
    expect(row!.title).toBe("Milonga nueva");
  });

  it("keeps is_paid in step with the price", async () => {
    const { event, organizer } = await organizedEvent();
    const paid = await t.api.patch(`/api/events/${event.id}`, { token: organizer.token, json: { price: "10", currency: "ARS" } });
    expect(paid.body).toMatchObject({ isPaid: true, price: "10", currency: "ARS" });
    const free = await t.api.patch(`/api/events/${event.id}`, { token: organizer.token, json: { price: null, currency: null } });
    expect(free.body).toMatchObject({ isPaid: false, price: null, currency: null });
  });

  it("detaches an occurrence of a series, so that the series' edits leave it as it is", async () => {
    const { user, token } = await signedIn(t);
    const [series] = await t.db
      .insert(eventSeries)
      .values({
        userId: user.id,
        title: "Jueves",
        description: "",
        eventType: "milonga",
        location: "Canning",
        timezone: "America/Argentina/Buenos_Aires",
        frequency: "weekly",
        weekday: 4,
        startTime: "21:00",
        durationMinutes: 240,
        startsOn: "2031-01-02",
      })
      .returning();
    const occurrence = await createEvent(t.db, { userId: user.id, seriesId: series!.id, occurrenceOn: "2031-01-02" });
    const res = await t.api.patch(`/api/events/${occurrence.id}`, { token, json: { title: "Jueves especial" } });
    expect(res.body.series).toEqual({ id: series!.id, occurrenceOn: "2031-01-02", detached: true });
    expect((await eventRow(occurrence.id))!.detached).toBe(true);
    const single = await createEvent(t.db, { userId: user.id });
    await t.api.patch(`/api/events/${single.id}`, { token, json: { title: "Alone" } });
    expect((await eventRow(single.id))!.detached).toBe(false);
  });

  it("refuses anyone else who sees it (403 not_event_organizer) and hides it from who does not (404)", async () => {
    const { event, stranger } = await organizedEvent();
    const admin = await signedIn(t, { role: "admin" });
    for (const who of [stranger, admin]) {
      const res = await t.api.patch(`/api/events/${event.id}`, { token: who.token, json: { title: "Mine now" } });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe("not_event_organizer");
    }
    const draft = await createEvent(t.db, { userId: (await createUser(t.db)).id, status: "draft" });
    expect((await t.api.patch(`/api/events/${draft.id}`, { token: stranger.token, json: { title: "x" } })).status).toBe(404);
    expect((await t.api.patch(`/api/events/${event.id}`, { json: { title: "x" } })).status).toBe(401);
    expect((await eventRow(event.id))!.title).toBe(event.title);
    expect((await eventRow(event.id))!.sequence).toBe(0);
  });

  it("takes no edit of a cancelled event (409 event_cancelled)", async () => {
    const { event, organizer } = await organizedEvent({ status: "cancelled", cancelledAt: new Date() });
    const res = await t.api.patch(`/api/events/${event.id}`, { token: organizer.token, json: { title: "Back on" } });
    expect([res.status, res.body.code]).toEqual([409, "event_cancelled"]);
    expect((await t.api.patch(`/api/events/${event.id}`, { token: organizer.token, json: { status: "published" } })).status).toBe(409);
  });

  it("makes a draft of an event only while nobody has answered it (409 event_has_rsvps)", async () => {
    const { event, organizer } = await organizedEvent();
    expect((await t.api.patch(`/api/events/${event.id}`, { token: organizer.token, json: { status: "draft" } })).body.status).toBe("draft");
    expect((await t.api.patch(`/api/events/${event.id}`, { token: organizer.token, json: { status: "published" } })).body.status).toBe("published");
    await rsvp(t.db, event.id, (await createUser(t.db)).id, "interested");
    const res = await t.api.patch(`/api/events/${event.id}`, { token: organizer.token, json: { status: "draft" } });
    expect([res.status, res.body.code, res.body.errors[0].path]).toEqual([409, "event_has_rsvps", "body.status"]);
  });

  it("moves an event to a group only for one of its hosts, and keeps the group on edits by a co-organizer who is not", async () => {
    const { event, organizer, co } = await organizedEvent();
    const group = await createGroupWithAdmin(t.db, organizer.user.id);
    expect((await t.api.patch(`/api/events/${event.id}`, { token: co.token, json: { groupId: group.id } })).body.code).toBe("not_group_host");
    expect((await t.api.patch(`/api/events/${event.id}`, { token: organizer.token, json: { groupId: group.id } })).body.groupId).toBe(group.id);
    const edited = await t.api.patch(`/api/events/${event.id}`, { token: co.token, json: { title: "Co edit" } });
    expect(edited.status).toBe(200);
    expect(edited.body.groupId).toBe(group.id);
  });
});

describe("PATCH /api/events/{id}: a capacity raised promotes the waitlist", () => {
  async function fullEvent(options: { maxAttendees: number; isPaid?: boolean }) {
    const organizer = await signedIn(t);
    const event = await createEvent(t.db, { userId: organizer.user.id, maxAttendees: options.maxAttendees, isPaid: options.isPaid ?? false, price: options.isPaid ? "10" : null, currency: options.isPaid ? "EUR" : null });
    const dancers = [];
    for (let i = 0; i < options.maxAttendees + 3; i++) {
      const dancer = await signedIn(t);
      const res = await t.api.post(`/api/events/${event.id}/rsvp`, { token: dancer.token, json: { status: "going" } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      dancers.push(dancer);
    }
    return { organizer, event, going: dancers.slice(0, options.maxAttendees), waiting: dancers.slice(options.maxAttendees) };
  }

  const statusOf = async (eventId: number, userId: number) =>
    (await t.db.select().from(eventRsvps).where(and(eq(eventRsvps.eventId, eventId), eq(eventRsvps.userId, userId))))[0]!.status;

  it("seats the first in line into the new seats, in the same request, notifies them and answers the new counts", async () => {
    const { organizer, event, waiting } = await fullEvent({ maxAttendees: 2, isPaid: true });
    const res = await t.api.patch(`/api/events/${event.id}`, { token: organizer.token, json: { maxAttendees: 4 } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ maxAttendees: 4, counts: { going: 4, waitlisted: 1 } });
    expect([await statusOf(event.id, waiting[0]!.user.id), await statusOf(event.id, waiting[1]!.user.id), await statusOf(event.id, waiting[2]!.user.id)]).toEqual([
      "going",
      "going",
      "waitlisted",
    ]);
    const promotedNotes = await t.db.select().from(notifications).where(and(eq(notifications.userId, waiting[0]!.user.id), eq(notifications.type, "event_waitlist_promoted")));
    expect(promotedNotes).toHaveLength(1);
    const tickets = await t.db.select().from(eventTickets).where(and(eq(eventTickets.eventId, event.id), eq(eventTickets.status, "active")));
    expect(tickets).toHaveLength(4);
    const [row] = await t.db.select().from(events).where(eq(events.id, event.id));
    expect([row!.goingCount, row!.waitlistCount]).toEqual([4, 1]);
  });

  it("promotes no one on an edit that frees no seat, or one refused (another dancer's edit)", async () => {
    const { organizer, event, waiting, going } = await fullEvent({ maxAttendees: 2 });
    expect((await t.api.patch(`/api/events/${event.id}`, { token: going[0]!.token, json: { maxAttendees: 9 } })).status).toBe(403);
    const same = await t.api.patch(`/api/events/${event.id}`, { token: organizer.token, json: { maxAttendees: 2, title: "Same seats" } });
    expect(same.status).toBe(200);
    expect(same.body.counts).toMatchObject({ going: 2, waitlisted: 3 });
    expect(await statusOf(event.id, waiting[0]!.user.id)).toBe("waitlisted");
  });

  it("racing RSVPs and withdrawals, never exceeds the new capacity and keeps the counters exact", async () => {
    const { organizer, event, going } = await fullEvent({ maxAttendees: 3 });
    const latecomers = await Promise.all(Array.from({ length: 4 }, () => signedIn(t)));
    await Promise.all([
      t.api.patch(`/api/events/${event.id}`, { token: organizer.token, json: { maxAttendees: 5 } }),
      t.api.delete(`/api/events/${event.id}/rsvp`, { token: going[0]!.token }),
      ...latecomers.map((d) => t.api.post(`/api/events/${event.id}/rsvp`, { token: d.token, json: { status: "going" } })),
    ]);
    const [row] = await t.db.select().from(events).where(eq(events.id, event.id));
    const counted = await t.db.execute<{ going: number; waitlisted: number }>(sql`
      SELECT count(*) FILTER (WHERE status = 'going')::int AS going, count(*) FILTER (WHERE status = 'waitlisted')::int AS waitlisted
      FROM event_rsvps WHERE event_id = ${event.id}`);
    expect(row!.maxAttendees).toBe(5);
    expect(row!.goingCount).toBe(5);
    expect([Number(counted.rows[0]!.going), Number(counted.rows[0]!.waitlisted)]).toEqual([row!.goingCount, row!.waitlistCount]);
  });
});

describe("events link a venue of the directory", () => {
  it("takes a venueId on create and edit (an unknown one is 400), and shows it", async () => {
    const { user, token } = await signedIn(t);
    const place = await createVenue(t.db, { createdBy: user.id });
    const created = await t.api.post("/api/events", { token, json: eventBody({ venueId: place.id }) });
    expect([created.status, created.body.venueId]).toEqual([201, place.id]);
    const unknown = await t.api.post("/api/events", { token, json: eventBody({ venueId: 2147483647 }) });
    expect([unknown.status, unknown.body.code]).toEqual([400, "unknown_venue"]);
    const cleared = await t.api.patch(`/api/events/${created.body.id}`, { token, json: { venueId: null } });
    expect([cleared.status, cleared.body.venueId]).toEqual([200, null]);
    const wrong = await t.api.patch(`/api/events/${created.body.id}`, { token, json: { venueId: 2147483647 } });
    expect([wrong.status, wrong.body.code]).toEqual([400, "unknown_venue"]);
    expect((await t.api.get(`/api/events/${created.body.id}`)).body.venueId).toBeNull();
  });

});

describe("DELETE /api/events/{id}", () => {
  it("lets the organizer delete it (204) with everything that hangs on it", async () => {
    const { event, organizer } = await organizedEvent();
    const dancer = await createUser(t.db);
    await rsvp(t.db, event.id, dancer.id, "going");
    await t.db.insert(eventTickets).values({ eventId: event.id, userId: dancer.id, code: unique("code").slice(0, 32) });
    const res = await t.api.delete(`/api/events/${event.id}`, { token: organizer.token });
    expect(res.status).toBe(204);
    expect(await eventRow(event.id)).toBeUndefined();
    expect(await t.db.select().from(eventRsvps).where(eq(eventRsvps.eventId, event.id))).toEqual([]);
    expect(await t.db.select().from(eventCoOrganizers).where(eq(eventCoOrganizers.eventId, event.id))).toEqual([]);
    expect((await t.api.get(`/api/events/${event.id}`, { token: organizer.token })).status).toBe(404);
    expect((await t.api.delete(`/api/events/${event.id}`, { token: organizer.token })).status).toBe(404);
  });

  it("refuses a co-organizer, a stranger and a moderator (403 not_event_organizer); 404 for who cannot see it", async () => {
    const { event, co, stranger } = await organizedEvent();
    const admin = await signedIn(t, { role: "admin" });
    for (const who of [co, stranger, admin]) {
      const res = await t.api.delete(`/api/events/${event.id}`, { token: who.token });
      expect([res.status, res.body.code]).toEqual([403, "not_event_organizer"]);
    }
    expect(await eventRow(event.id)).toBeDefined();
    const hidden = await createEvent(t.db, { userId: (await createUser(t.db)).id, hiddenAt: new Date() });
    expect((await t.api.delete(`/api/events/${hidden.id}`, { token: stranger.token })).status).toBe(404);
  });

  it("cancels, not deletes, an occurrence of a series (409 event_in_series)", async () => {
    const { user, token } = await signedIn(t);
    const [series] = await t.db
      .insert(eventSeries)
      .values({
        userId: user.id,
        title: "Sábados",
        description: "",
        eventType: "practica",
        location: "La Viruta",
        timezone: "UTC",
        frequency: "monthly",
        weekday: 6,
        ordinal: 1,
        startTime: "20:00",
        durationMinutes: 180,
        startsOn: "2031-01-04",
      })
      .returning();
    const occurrence = await createEvent(t.db, { userId: user.id, seriesId: series!.id, occurrenceOn: "2031-01-04" });
    const res = await t.api.delete(`/api/events/${occurrence.id}`, { token });
    expect([res.status, res.body.code]).toEqual([409, "event_in_series"]);
    expect(await eventRow(occurrence.id)).toBeDefined();
  });
});

describe("POST /api/events/{id}/cancel", () => {
  it("cancels it, cancels its active tickets and notifies everyone going or waitlisted, once", async () => {
    const { event, organizer, co } = await organizedEvent({ isPaid: true, price: "10", currency: "EUR" });
    const [going, waitlisted, interested, notGoing, blocker] = await Promise.all(Array.from({ length: 5 }, () => createUser(t.db)));
    await rsvp(t.db, event.id, going!.id, "going");
    await rsvp(t.db, event.id, waitlisted!.id, "waitlisted");
    await rsvp(t.db, event.id, interested!.id, "interested");
    await rsvp(t.db, event.id, notGoing!.id, "not_going");
    await rsvp(t.db, event.id, blocker!.id, "going");
    await rsvp(t.db, event.id, co.user.id, "going");
    await t.db.execute(sql`INSERT INTO blocked_users (blocker_id, blocked_id) VALUES (${blocker!.id}, ${co.user.id})`);
    await t.db.insert(eventTickets).values([
      { eventId: event.id, userId: going!.id, code: unique("a").slice(0, 32) },
      { eventId: event.id, userId: notGoing!.id, code: unique("b").slice(0, 32), status: "cancelled", cancelledAt: new Date(2020, 0, 1) },
    ]);
    const res = await t.api.post(`/api/events/${event.id}/cancel`, { token: co.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: "cancelled", sequence: 1, cancelledAt: expect.stringMatching(/Z$/) });
    const notices = await noticesOf(event.id, "event_cancelled");
    // The canceller is not told, nor a dancer who blocked them.
    expect(notices.map((n) => n.userId)).toEqual([going!.id, waitlisted!.id].sort((a, b) => a - b));
    expect(notices[0]).toMatchObject({ actorId: co.user.id, data: { eventId: event.id, eventTitle: event.title } });
    const tickets = await t.db.select().from(eventTickets).where(eq(eventTickets.eventId, event.id)).orderBy(eventTickets.id);
    expect(tickets.map((ticket) => ticket.status)).toEqual(["cancelled", "cancelled"]);
    expect(tickets[1]!.cancelledAt).toEqual(new Date(2020, 0, 1));

    const again = await t.api.post(`/api/events/${event.id}/cancel`, { token: organizer.token });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: "cancelled", sequence: 1, cancelledAt: res.body.cancelledAt });
    expect(await noticesOf(event.id, "event_cancelled")).toHaveLength(2);
    expect((await t.db.select({ count: notifications.count }).from(notifications).where(eq(notifications.userId, going!.id)))[0]!.count).toBe(1);
    // Still visible to everyone, marked cancelled.
    expect((await t.api.get(`/api/events/${event.id}`)).body.status).toBe("cancelled");
  });

  it("refuses a stranger (403), hides it from who cannot see it (404), and keeps drafts for deleting (409)", async () => {
    const { event, stranger, organizer } = await organizedEvent();
    const res = await t.api.post(`/api/events/${event.id}/cancel`, { token: stranger.token });
    expect([res.status, res.body.code]).toEqual([403, "not_event_organizer"]);
    expect((await eventRow(event.id))!.status).toBe("published");
    const draft = await createEvent(t.db, { userId: organizer.user.id, status: "draft" });
    expect((await t.api.post(`/api/events/${draft.id}/cancel`, { token: stranger.token })).status).toBe(404);
    const own = await t.api.post(`/api/events/${draft.id}/cancel`, { token: organizer.token });
    expect([own.status, own.body.code]).toEqual([409, "event_not_published"]);
    expect((await eventRow(draft.id))!.status).toBe("draft");
  });

  it("detaches a cancelled occurrence from its series", async () => {
    const { user, token } = await signedIn(t);
    const [series] = await t.db
      .insert(eventSeries)
      .values({
        userId: user.id,
        title: "Martes",
        description: "",
        eventType: "class",
        location: "DNI",
        timezone: "UTC",
        frequency: "weekly",
        weekday: 2,
        startTime: "19:00",
        durationMinutes: 90,
        startsOn: "2031-01-07",
      })
      .returning();
    const occurrence = await createEvent(t.db, { userId: user.id, seriesId: series!.id, occurrenceOn: "2031-01-07" });
    expect((await t.api.post(`/api/events/${occurrence.id}/cancel`, { token })).body.series.detached).toBe(true);
  });

  it("shows the notice in the dancer's notifications", async () => {
    const { event, organizer } = await organizedEvent();
    const dancer = await signedIn(t);
    await rsvp(t.db, event.id, dancer.user.id, "going");
    await t.api.post(`/api/events/${event.id}/cancel`, { token: organizer.token });
    const list = await t.api.get("/api/notifications", { token: await tokenFor(t, dancer.user) });
    expect(list.body.items[0]).toMatchObject({ type: "event_cancelled", subjectType: "event", subjectId: event.id });
  });
});
