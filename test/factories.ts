import { sql } from "drizzle-orm";
import {
  chatMessages,
  chatRoomUsers,
  chatRooms,
  eventRsvps,
  eventSeries,
  eventTickets,
  events,
  follows,
  friendships,
  friendshipActivities,
  groupMembers,
  groups,
  postComments,
  postHashtags,
  postLikes,
  postShares,
  posts,
  users,
} from "../drizzle/schema";
import { emailQueue, notifications } from "../drizzle/notifications";
import type { Db } from "../src/lib/db";
import { loadConfig } from "../src/lib/env";
import { base64UrlEncode } from "../src/lib/encoding";
import { mediaUrlFor } from "../src/modules/media";
import { hashPassword } from "../src/lib/password";
import { rememberPrivate } from "./leaks";

let sequence = 0;

/** A value no other test (in any file, any run) will produce. */
export function unique(prefix = "t"): string {
  sequence += 1;
  return `${prefix}${sequence}${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
}

/**
 * A URL shaped as POST /api/media returns it, on the test deployment's media origin: what
 * fields taking only this service's uploads accept (they check the URL, not the object).
 *
 * @example
 * json: { url: mediaUrl(t.env, "mp4"), type: "video" }
 */
export function mediaUrl(env: Env, extension: "jpg" | "png" | "webp" | "gif" | "mp4" | "webm" = "jpg"): string {
  return mediaUrlFor(loadConfig(env), `${base64UrlEncode(crypto.getRandomValues(new Uint8Array(16)))}.${extension}`);
}

type UserRow = typeof users.$inferSelect;
type NewUser = Partial<typeof users.$inferInsert>;

let ipSequence = 0;

/** A client IP no other test uses (rate limits are per IP). */
export function uniqueIp(): string {
  ipSequence += 1;
  const block = crypto.getRandomValues(new Uint16Array(2));
  return `2001:db8:${block[0]!.toString(16)}:${block[1]!.toString(16)}::${ipSequence.toString(16)}`;
}

/**
 * A user with unique email and username, and unique values in every private field (so the
 * leak check in test/leaks.ts notices if any of them reaches another user). Its password
 * cannot be used to log in: see {@link createUserWithPassword}.
 */
export async function createUser(db: Db, overrides: NewUser = {}): Promise<UserRow> {
  const handle = unique("dancer");
  const [user] = await db
    .insert(users)
    .values({
      email: `${handle}@example.com`,
      username: handle,
      password: "not-a-usable-hash",
      name: `Dancer ${handle}`,
      city: "Buenos Aires",
      country: "Argentina",
      apiToken: unique("api-token-"),
      stripeCustomerId: unique("cus_"),
      stripeSubscriptionId: unique("sub_"),
      deviceToken: unique("device-"),
      mobileNo: `+54911${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`,
      lastLoginIp: uniqueIp(),
      ...overrides,
    })
    .returning();
  rememberPrivate(user!.id, [
    user!.email,
    user!.apiToken,
    user!.stripeCustomerId,
    user!.stripeSubscriptionId,
    user!.deviceToken,
    user!.mobileNo,
    user!.lastLoginIp,
  ]);
  return user!;
}

/** A user who can log in with `password`. */
export async function createUserWithPassword(db: Db, password: string, overrides: NewUser = {}) {
  return createUser(db, { ...overrides, password: await hashPassword(password, "fast") });
}

export async function createPost(db: Db, overrides: Partial<typeof posts.$inferInsert> & { userId: number }) {
  const [post] = await db
    .insert(posts)
    .values({ content: `A night at the milonga ${unique()}`, ...overrides })
    .returning();
  return post!;
}

export async function createEvent(db: Db, overrides: Partial<typeof events.$inferInsert> & { userId: number }) {
  const [event] = await db
    .insert(events)
    .values({
      title: `Milonga ${unique()}`,
      description: "Tango all night",
      eventType: "milonga",
      startDate: new Date(Date.now() + 7 * 86_400_000),
      location: "Salon Canning",
      city: "Buenos Aires",
      country: "Argentina",
      ...overrides,
    })
    .returning();
  return event!;
}

export async function follow(db: Db, followerId: number, followingId: number) {
  await db.insert(follows).values({ followerId, followingId });
}

/** Both rows of a friendship (one per direction), as the friendships module writes them. */
export async function befriend(
  db: Db,
  userId: number,
  friendId: number,
  overrides: Partial<typeof friendships.$inferInsert> = {},
) {
  const rows = await db
    .insert(friendships)
    .values([
      { userId, friendId, ...overrides },
      { userId: friendId, friendId: userId, ...overrides },
    ])
    .returning();
  return { forward: rows[0]!, reverse: rows[1]! };
}

export async function addFriendshipActivity(db: Db, friendshipId: number, activityType: string, createdAt?: Date) {
  await db.insert(friendshipActivities).values({ friendshipId, activityType, ...(createdAt ? { createdAt } : {}) });
}

/** An RSVP written directly (no capacity check), with the event's counters kept in step. */
export async function rsvp(
  db: Db,
  eventId: number,
  userId: number,
  status: "going" | "interested" | "not_going" | "waitlisted" = "going",
  role?: "leader" | "follower",
) {
  await db.batch([
    db.insert(eventRsvps).values({ eventId, userId, status, role, queuedAt: status === "waitlisted" ? new Date() : null }),
    db.execute(sql`UPDATE events SET
      going_count = going_count + ${status === "going" ? 1 : 0},
      leaders_going = leaders_going + ${status === "going" && role === "leader" ? 1 : 0},
      followers_going = followers_going + ${status === "going" && role === "follower" ? 1 : 0},
      interested_count = interested_count + ${status === "interested" ? 1 : 0},
      waitlist_count = waitlist_count + ${status === "waitlisted" ? 1 : 0}
      WHERE id = ${eventId}`),
  ]);
}

export async function likePost(db: Db, postId: number, userId: number, createdAt?: Date) {
  await db.insert(postLikes).values({ postId, userId, ...(createdAt ? { createdAt } : {}) });
  await db.execute(sql`UPDATE posts SET likes = likes + 1 WHERE id = ${postId}`);
}

/** A comment (or a reply, with `parentCommentId`) on a post, counted in the post's `comments`. */
export async function createComment(
  db: Db,
  overrides: Partial<typeof postComments.$inferInsert> & { postId: number; userId: number },
) {
  const [comment] = await db.insert(postComments).values({ content: `Que lindo ${unique()}`, ...overrides }).returning();
  await db.execute(sql`UPDATE posts SET comments = coalesce(comments, 0) + 1 WHERE id = ${overrides.postId}`);
  return comment!;
}

/** A share of a post (with its counter), as the shares route writes it. */
export async function sharePost(
  db: Db,
  postId: number,
  userId: number,
  overrides: Partial<typeof postShares.$inferInsert> = {},
) {
  const [share] = await db.insert(postShares).values({ postId, userId, ...overrides }).returning();
  await db.execute(sql`UPDATE posts SET shares = shares + 1 WHERE id = ${postId}`);
  return share!;
}

/** A direct chat room between two users, written directly (POST /api/chat/rooms makes one through the API). */
export async function createDirectRoom(db: Db, a: number, b: number) {
  const [room] = await db
    .insert(chatRooms)
    .values({ type: "direct", directKey: `${Math.min(a, b)}:${Math.max(a, b)}`, memberCount: 2, createdBy: a })
    .returning();
  await db.insert(chatRoomUsers).values([
    { chatRoomId: room!.id, userId: a },
    { chatRoomId: room!.id, userId: b },
  ]);
  return room!;
}

/**
 * A group (or event) chat room written directly, with its members: the first is its admin and
 * creator unless `admins` says otherwise.
 *
 * @example
 * const room = await createChatRoom(t.db, { members: [ana.id, bruno.id, carla.id] });
 */
export async function createChatRoom(
  db: Db,
  options: { members: number[]; admins?: number[]; type?: "group" | "event"; name?: string; eventId?: number },
) {
  const admins = options.admins ?? options.members.slice(0, 1);
  const [room] = await db
    .insert(chatRooms)
    .values({
      type: options.type ?? "group",
      name: options.name ?? unique("Tanda "),
      eventId: options.eventId ?? null,
      createdBy: admins[0] ?? null,
      memberCount: options.members.length,
    })
    .returning();
  if (options.members.length) {
    await db.insert(chatRoomUsers).values(
      options.members.map((userId) => ({ chatRoomId: room!.id, userId, role: admins.includes(userId) ? "admin" : "member" })),
    );
  }
  return room!;
}

/**
 * A message written straight to Postgres, numbered after the room's last one there, as if the
 * room's Durable Object had flushed it (for tests of what reads history: the closeness job).
 */
export async function sendChatMessage(db: Db, chatRoomId: number, userId: number, message: string, createdAt?: Date) {
  const [row] = await db
    .insert(chatMessages)
    .values({
      chatRoomId,
      userId,
      message,
      roomSeq: sql`(SELECT coalesce(max(room_seq), 0) + 1 FROM chat_messages WHERE chat_room_id = ${chatRoomId})`,
      ...(createdAt ? { createdAt } : {}),
    })
    .returning();
  return row!;
}

/** A notification row written directly, in a group of its own (it never coalesces with another). */
export async function createNotification(
  db: Db,
  overrides: Partial<typeof notifications.$inferInsert> & { userId: number },
) {
  const type = overrides.type ?? "post_like";
  const [row] = await db
    .insert(notifications)
    .values({ type, groupKey: `${type}:${unique("group")}`, ...overrides })
    .returning();
  return row!;
}

/** A message waiting in the email queue (due a second ago unless overridden). */
export async function queueEmail(db: Db, overrides: Partial<typeof emailQueue.$inferInsert> = {}) {
  const [row] = await db
    .insert(emailQueue)
    .values({
      toEmail: `${unique("mail")}@example.com`,
      // Due a second ago, not at the database's now(): a drain run straight after takes the
      // Worker's clock, which can read the same millisecond as the insert's microseconds and
      // so fall just short of them (seen once on PostgreSQL 15: the message was left pending).
      nextAttemptAt: new Date(Date.now() - 1000),
      template: "notification",
      subject: "Someone liked your post",
      bodyText: "Someone liked your post.",
      bodyHtml: "<p>Someone liked your post.</p>",
      ...overrides,
    })
    .returning();
  return row!;
}

/** post_hashtags rows for a post (as the posts module writes them: the tag normalised, the post's time). */
export async function tagPost(db: Db, post: { id: number; createdAt: Date | null }, tags: string[]) {
  await db.insert(postHashtags).values(tags.map((tag) => ({ postId: post.id, tag, createdAt: post.createdAt ?? new Date() })));
}

/** A comment on a post, bumping its counter as the comments module does. */
export async function commentOnPost(db: Db, postId: number, userId: number, createdAt?: Date) {
  await db.insert(postComments).values({ postId, userId, content: `Qué lindo ${unique()}`, ...(createdAt ? { createdAt } : {}) });
  await db.execute(sql`UPDATE posts SET comments = comments + 1 WHERE id = ${postId}`);
}


/**
 * A series row written directly (no occurrences: the cron job, or the create route, makes
 * those): weekly on Thursdays at 21:00 in Buenos Aires from today, unless overridden.
 */
export async function createSeries(db: Db, overrides: Partial<typeof eventSeries.$inferInsert> & { userId: number }) {
  const [row] = await db
    .insert(eventSeries)
    .values({
      title: `Milonga semanal ${unique()}`,
      description: "Every Thursday",
      eventType: "milonga",
      location: "Salon Canning",
      city: "Buenos Aires",
      timezone: "America/Argentina/Buenos_Aires",
      frequency: "weekly",
      weekday: 4,
      startTime: "21:00",
      durationMinutes: 240,
      startsOn: new Date().toISOString().slice(0, 10),
      ...overrides,
    })
    .returning();
  return row!;
}

/** A group with a member in `role` (active): e.g. the host a group's events need. */
export async function createGroupWith(db: Db, userId: number, role: "member" | "moderator" | "admin", type: "interest" | "private" = "interest") {
  const group = await createGroup(db, { type, createdBy: null });
  await addGroupMember(db, group.id, userId, { role });
  return group;
}

/**
 * A group made directly (an `interest` one unless overridden), with its creator as its admin and
 * `member_count` kept in step. A `city` group needs `cityKey` (lower-cased, accent-folded city).
 */
export async function createGroup(
  db: Db,
  overrides: Partial<typeof groups.$inferInsert> & { createdBy: number | null },
) {
  const slug = unique("group");
  const [group] = await db
    .insert(groups)
    .values({ type: "interest", name: `Tango group ${slug}`, slug, memberCount: overrides.createdBy === null ? 0 : 1, ...overrides })
    .returning();
  if (overrides.createdBy !== null) {
    await db.insert(groupMembers).values({ groupId: group!.id, userId: overrides.createdBy, role: "admin", status: "active" });
  }
  return group!;
}

/** A membership written directly (active members counted in `member_count`, as the groups module does). */
export async function addGroupMember(
  db: Db,
  groupId: number,
  userId: number,
  options: { role?: "member" | "moderator" | "admin"; status?: "active" | "pending"; createdAt?: Date } = {},
) {
  const status = options.status ?? "active";
  await db.batch([
    db.insert(groupMembers).values({ groupId, userId, role: options.role ?? "member", status, ...(options.createdAt ? { createdAt: options.createdAt } : {}) }),
    db.execute(sql`UPDATE groups SET member_count = member_count + ${status === "active" ? 1 : 0} WHERE id = ${groupId}`),
  ]);
}

/** A group's `member_count` beside its active memberships counted, for tests that the counter stays exact. */
export async function groupCounts(db: Db, groupId: number) {
  const { rows } = await db.execute<{ member_count: number; active: number; pending: number }>(sql`
    SELECT g.member_count,
      (SELECT count(*) FROM group_members m WHERE m.group_id = g.id AND m.status = 'active')::int AS active,
      (SELECT count(*) FROM group_members m WHERE m.group_id = g.id AND m.status = 'pending')::int AS pending
    FROM groups g WHERE g.id = ${groupId}`);
  const row = rows[0]!;
  return { memberCount: Number(row.member_count), active: Number(row.active), pending: Number(row.pending) };
}

/**
 * A group with an active admin (and any extra members with their roles), as the groups module
 * writes them: `member_count` counts the active members.
 */
export async function createGroupWithAdmin(
  db: Db,
  adminId: number,
  options: { type?: "interest" | "professional" | "private"; members?: { userId: number; role?: "member" | "moderator" | "admin"; status?: "active" | "pending" }[]; hiddenAt?: Date } = {},
) {
  const group = await createGroup(db, { type: options.type ?? "interest", createdBy: adminId, hiddenAt: options.hiddenAt });
  for (const m of options.members ?? []) await addGroupMember(db, group.id, m.userId, { role: m.role, status: m.status });
  return group;
}

/**
 * A ticket for an event, as the RSVP statements write one for a going dancer of a paid event:
 * an unguessable code (128 random bits, 32 lower-case hex digits) unless given.
 */
export async function createTicket(
  db: Db,
  overrides: Partial<typeof eventTickets.$inferInsert> & { eventId: number; userId: number },
) {
  const code = Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
  const [ticket] = await db.insert(eventTickets).values({ code, ...overrides }).returning();
  return ticket!;
}
