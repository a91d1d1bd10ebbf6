import { eq, sql } from "drizzle-orm";
import { eventPhotos, eventReviews, friendRequests, sessions, teacherReviews, venueReviews, volunteerExperiences } from "../drizzle/schema";
import { roleLevel, ROLES, users } from "../drizzle/users";
import { describe, expect, it } from "vitest";
import { tokenFor } from "../test/auth";
import { createChatRoom, createComment, createEvent, createGroup, createNotification, createPost, createSeries, createUser } from "../test/factories";
import { type ApiResponse, type TestContext, useTestDatabase } from "../test/harness";
import { callRoute, type OpenApiDocument, operationsOf } from "../test/openapi";
import { issueAccessToken } from "./lib/access-tokens";
import { mediaUrl } from "../test/factories";
import { createApplication, createTask, createVolunteer } from "../test/volunteers";
import { createSchool, createStudentLink, createTeacher, createVenue } from "../test/directory";
import { createTrip } from "../test/travel";
import { createDomainConversation, createMrBlueConversation } from "../test/assistant";
import { blockListingDates, createBooking, createListing, day } from "../test/housing";
import { createGoal as createLifeCeoGoal, createMilestone as createLifeCeoMilestone, createTask as createLifeCeoTask } from "../test/life-ceo";
import { createRecommendation } from "../test/recommendations";
import { weekOf } from "./modules/life-ceo";

/**
 * Authentication and authorization for every route in the OpenAPI document, generated from
 * what each route declares through `moduleRoutes()` (src/lib/routes.ts):
 * - a route that needs a token refuses an anonymous caller and a tampered, foreign or
 *   expired token with 401;
 * - a route with a minimum role level (`x-min-level`) refuses the level below with 403;
 * - a route on someone's object (`x-object`) refuses another user with 404 or 403, for an
 *   object made by that module's factory below.
 * A route added later is covered here without a test written for it.
 */

const t = await useTestDatabase();
const doc = (await t.api.get<OpenApiDocument>("/openapi.json")).body;
const operations = operationsOf(doc);

/** The factories of the objects routes act on: each makes one owned by `ownerId` and returns its id. */
const OBJECT_FACTORIES: Record<string, (t: TestContext, ownerId: number) => Promise<string>> = {
  // Life CEO: a dancer's goals, their milestones and tasks are the dancer's alone.
  life_ceo_goal: async (t, ownerId) => String((await createLifeCeoGoal(t.db, { userId: ownerId })).id),
  life_ceo_milestone: async (t, ownerId) => {
    const goal = await createLifeCeoGoal(t.db, { userId: ownerId });
    return String((await createLifeCeoMilestone(t.db, { goalId: goal.id, userId: ownerId })).id);
  },
  life_ceo_task: async (t, ownerId) => String((await createLifeCeoTask(t.db, { userId: ownerId })).id),
  session: async (t, ownerId) => {
    const [row] = await t.db
      .insert(sessions)
      .values({ userId: ownerId, expiresAt: new Date(Date.now() + 86_400_000) })
      .returning({ id: sessions.id });
    return row!.id;
  },
  notification: async (t, ownerId) => String((await createNotification(t.db, { userId: ownerId })).id),
  // A pending request between two other dancers (the intruder is neither its sender nor its receiver).
  friend_request: async (t) => {
    const [sender, receiver] = await Promise.all([createUser(t.db), createUser(t.db)]);
    const [row] = await t.db.insert(friendRequests).values({ senderId: sender.id, receiverId: receiver.id }).returning({ id: friendRequests.id });
    return String(row!.id);
  },
  // A private post: no one else may see it, not even the intruder (a "god", so a moderator too),
  // so no one else may edit, delete, like, comment on, share, bookmark or report it.
  post: async (t, ownerId) => String((await createPost(t.db, { userId: ownerId, visibility: "private" })).id),
  // A private group hidden by moderation: only its admin (the owner) sees it, so no one else may
  // read it, join it, list its members or posts, post in it, report it or manage it.
  group: async (t, ownerId) => String((await createGroup(t.db, { createdBy: ownerId, type: "private", hiddenAt: new Date() })).id),
  // On the owner's private post: even a moderator cannot see it, so cannot act on it here.
  comment: async (t, ownerId) => {
    const post = await createPost(t.db, { userId: ownerId, visibility: "private" });
    return String((await createComment(t.db, { postId: post.id, userId: ownerId })).id);
  },
  // A draft: only its organizers see it, so no one else may read, edit, cancel, delete, report it,
  // see its co-organizers, answer it, read its attendees or a ticket for it.
  event: async (t, ownerId) => String((await createEvent(t.db, { userId: ownerId, status: "draft" })).id),
  // Assistant conversations are their owner's alone: no one else may read, rename, delete or write in them.
  mr_blue_conversation: async (t, ownerId) => String((await createMrBlueConversation(t.db, ownerId)).id),
  life_ceo_conversation: async (t, ownerId) => String((await createDomainConversation(t.db, ownerId)).id),
  // A draft series: only its organizer sees it, so no one else may read, edit or cancel it.
  event_series: async (t, ownerId) => String((await createSeries(t.db, { userId: ownerId, status: "draft" })).id),
  // A group chat room of the owner's alone: rooms are private to their members, so no one else may read,
  // join, manage, list or send to it, or open its socket.
  chat_room: async (t, ownerId) => String((await createChatRoom(t.db, { members: [ownerId] })).id),
  // (The draft above also keeps others from its check-ins, analytics, reviews and photos.) The owner's review
  // of someone else's published event, which the intruder sees too (so the author check decides). The suite
  // puts one value in every path id: the review takes its event's id.
  event_review: async (t, ownerId) => {
    const event = await createEvent(t.db, { userId: (await createUser(t.db)).id });
    await t.db.insert(eventReviews).values({ id: event.id, eventId: event.id, userId: ownerId, rating: 4 });
    await t.db.execute(sql`SELECT setval(pg_get_serial_sequence('event_reviews', 'id'), (SELECT max(id) FROM event_reviews))`);
    return String(event.id);
  },
  // The owner's photo of someone else's published event, taking its event's id as the review above.
  event_photo: async (t, ownerId) => {
    const event = await createEvent(t.db, { userId: (await createUser(t.db)).id });
    await t.db.insert(eventPhotos).values({ id: event.id, eventId: event.id, userId: ownerId, url: mediaUrl(t.env) });
    await t.db.execute(sql`SELECT setval(pg_get_serial_sequence('event_photos', 'id'), (SELECT max(id) FROM event_photos))`);
    return String(event.id);
  },
  // A volunteer task for the owner's draft event: only its organizers see it, so no one else may read, edit,
  // cancel, rank volunteers for, apply to or list the applications of it.
  volunteer_task: async (t, ownerId) => {
    const event = await createEvent(t.db, { userId: ownerId, status: "draft" });
    return String((await createTask(t.db, { createdBy: ownerId, eventId: event.id })).id);
  },
  // The owner's application to someone else's open task: seen by the owner and that task's organizers only,
  // so no one else may accept, decline, check in, log hours for or mark it.
  volunteer_application: async (t, ownerId) => {
    const task = await createTask(t.db, { createdBy: (await createUser(t.db)).id });
    const volunteer = await createVolunteer(t.db, ownerId);
    return String((await createApplication(t.db, { taskId: task.id, volunteerId: volunteer.id })).id);
  },
  // An entry of the owner's resume: only its owner edits or removes it.
  volunteer_experience: async (t, ownerId) => {
    const volunteer = await createVolunteer(t.db, ownerId);
    const [row] = await t.db
      .insert(volunteerExperiences)
      .values({ volunteerId: volunteer.id, role: "Door", organization: "CITA", startedOn: "2024-03-01" })
      .returning({ id: volunteerExperiences.id });
    return String(row!.id);
  },
  // The owner's volunteer profile on a suspended account: no one sees it (the profile is public to signed-in
  // dancers otherwise; blocks are tested in the module).
  volunteer: async (t, ownerId) => {
    const volunteer = await createVolunteer(t.db, ownerId);
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, ownerId));
    return String(volunteer.id);
  },
  // A teacher whose account is suspended: no one else sees the profile (not even a "god"), so no one
  // else may read, edit or delete it, its visits, its students or its reviews, or ask to study with it.
  teacher: async (t, ownerId) => {
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, ownerId));
    return String((await createTeacher(t.db, { userId: ownerId })).id);
  },
  // A pending request of the owner's to study with someone else: the intruder is neither the student nor the teacher.
  teacher_student: async (t, ownerId) => {
    const teacher = await createTeacher(t.db, { userId: (await createUser(t.db)).id });
    return String((await createStudentLink(t.db, { teacherId: teacher.id, studentId: ownerId })).id);
  },
  // A venue (and below, a school) listed by an account now suspended: hidden from everyone else, so even
  // an admin intruder (who may edit anyone's venue it can see) can neither read nor change it.
  venue: async (t, ownerId) => {
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, ownerId));
    return String((await createVenue(t.db, { createdBy: ownerId })).id);
  },
  school: async (t, ownerId) => {
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, ownerId));
    return String((await createSchool(t.db, { ownerId })).id);
  },
  // The owner's review of someone else's teacher (or venue), which the intruder sees too (so the author
  // check decides), taking its subject's id as the event reviews above.
  teacher_review: async (t, ownerId) => {
    const teacher = await createTeacher(t.db, { userId: (await createUser(t.db)).id });
    await t.db.insert(teacherReviews).values({ id: teacher.id, teacherId: teacher.id, userId: ownerId, rating: 4 });
    await t.db.execute(sql`SELECT setval(pg_get_serial_sequence('teacher_reviews', 'id'), (SELECT max(id) FROM teacher_reviews))`);
    return String(teacher.id);
  },
  venue_review: async (t, ownerId) => {
    const venue = await createVenue(t.db, { createdBy: (await createUser(t.db)).id });
    await t.db.insert(venueReviews).values({ id: venue.id, venueId: venue.id, userId: ownerId, rating: 4 });
    await t.db.execute(sql`SELECT setval(pg_get_serial_sequence('venue_reviews', 'id'), (SELECT max(id) FROM venue_reviews))`);
    return String(venue.id);
  },
  // A private trip: only its traveller sees it, so no one else may read, edit or delete it.
  trip: async (t, ownerId) => String((await createTrip(t.db, { userId: ownerId, visibility: "private" })).id),
  // A paused listing: only its host sees it, so no one else may read, edit, delete it, read its calendar,
  // closed dates, requests or reviews, close dates on it or ask to stay.
  listing: async (t, ownerId) => String((await createListing(t.db, { userId: ownerId, status: "paused" })).id),
  // The owner's pending request at someone else's listing: only its guest and its host may read, answer,
  // cancel or review it (the intruder is neither).
  booking: async (t, ownerId) => {
    const home = await createListing(t.db, { userId: (await createUser(t.db)).id });
    return String((await createBooking(t.db, { homeId: home.id, guestId: ownerId, checkIn: day(10), checkOut: day(12) })).id);
  },
  // Dates closed on the owner's listing: only its host may reopen them.
  blocked_dates: async (t, ownerId) => {
    const home = await createListing(t.db, { userId: ownerId });
    return String((await blockListingDates(t.db, home.id, day(10), day(12))).id);
  },
  // A pending recommendation for the owner's goal: only its dancer may accept or dismiss it.
  life_ceo_recommendation: async (t, ownerId) => {
    const goal = await createLifeCeoGoal(t.db, { userId: ownerId });
    return String((await createRecommendation(t.db, { userId: ownerId, goalId: goal.id, week: weekOf(new Date()) })).id);
  },
};

/**
 * What a path id may name besides an owned object: a dancer the caller acts on, a hashtag, or a moderation
 * queue item, which belongs to no one (its routes' `minLevel` check above covers who may act on it).
 */
const NOT_OWNED = [
  "user",
  "hashtag",
  "moderation_item",
  // The platform admin's objects (ESA agents and their tasks, messages and checks, deployments, feature
  // flags): no one owns them, their routes' `minLevel` (5 to read, 7 to write) decides who may act.
  "esa_agent",
  "agent_task",
  "agent_message",
  "deployment",
  "feature_flag",
];

function expectRefused(res: ApiResponse, statuses: number[], label: string) {
  expect(statuses, `${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`).toContain(res.status);
  expect(res.headers.get("content-type"), label).toMatch(/^application\/problem\+json/);
}

/** Tokens that must never pass: a flipped signature, another secret, expired, and unsigned. */
async function badTokens(user: { id: number; role: string }): Promise<Record<string, string>> {
  const good = await tokenFor(t, user);
  const claims = { userId: user.id, role: user.role, level: roleLevel(user.role), sessionId: crypto.randomUUID() };
  const [header, payload, signature] = good.split(".");
  const flipped = `${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith("AA") ? "BB" : "AA"}`;
  const unsignedHeader = btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "");
  return {
    "a flipped signature": flipped,
    "another secret": await issueAccessToken("another-secret-0123456789abcdef0123456789", claims),
    "an expired token": await issueAccessToken(t.env.JWT_SECRET, claims, Date.now() - 3_600_000),
    "an unsigned token": `${unsignedHeader}.${payload}.`,
  };
}

const secured = operations.filter((op) => op.auth !== "none");

describe.each(secured.map((op) => [`${op.method} ${op.path}`, op] as const))("%s: security", (_, op) => {
  const minLevel = op.operation["x-min-level"] as number | undefined;
  const declared = op.operation["x-object"] as string | undefined;
  const objectKind = declared === undefined || NOT_OWNED.includes(declared) ? undefined : declared;

  if (op.auth === "required") it("refuses an anonymous caller with 401", async () => {
    const target = await createUser(t.db);
    expectRefused(await callRoute(t.api, op, { pathValue: String(target.id) }), [401], "anonymous");
  });

  it("refuses a tampered, foreign, expired or unsigned token with 401", async () => {
    const [caller, target] = await Promise.all([createUser(t.db, { role: "god" }), createUser(t.db)]);
    for (const [label, token] of Object.entries(await badTokens(caller))) {
      expectRefused(await callRoute(t.api, op, { token, pathValue: String(target.id) }), [401], label);
    }
  });

  if (minLevel !== undefined) it(`refuses the role level below ${minLevel} with 403`, async () => {
    const below = ROLES.filter((r) => r.level < minLevel).at(-1)!;
    const [caller, target] = await Promise.all([createUser(t.db, { role: below.name }), createUser(t.db)]);
    const token = await tokenFor(t, caller);
    expectRefused(await callRoute(t.api, op, { token, pathValue: String(target.id) }), [403], below.name);
  });

  if (objectKind !== undefined) it(`refuses another user's ${objectKind} with 404 or 403`, async () => {
    const factory = OBJECT_FACTORIES[objectKind];
    expect(factory, `a factory for "${objectKind}" in OBJECT_FACTORIES`).toBeDefined();
    const [owner, intruder] = await Promise.all([createUser(t.db), createUser(t.db, { role: "god" })]);
    const id = await factory!(t, owner.id);
    const token = await tokenFor(t, intruder);
    expectRefused(await callRoute(t.api, op, { token, pathValue: id }), [403, 404], "another user's object");
  });
});

describe("the generated security suite", () => {
  it("knows what every id in a protected path names: an owned object, or a user", () => {
    const undeclared = secured
      .filter((op) => op.params.some((p) => p.in === "path"))
      .filter((op) => op.operation["x-object"] === undefined)
      .map((op) => `${op.method} ${op.path}`);
    expect(undeclared, "declare `object` (an owned kind, or \"user\") in the route").toEqual([]);
  });

  it("covers the protected routes, the admin routes and the object routes", () => {
    expect(secured.length).toBeGreaterThan(15);
    expect(secured.filter((op) => op.operation["x-min-level"] !== undefined).length).toBeGreaterThanOrEqual(2);
    const owned = secured.filter((op) => ![undefined, ...NOT_OWNED].includes(op.operation["x-object"]));
    expect(owned.length).toBeGreaterThanOrEqual(2);
  });
});
