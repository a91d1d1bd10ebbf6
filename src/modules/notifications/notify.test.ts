import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, chatRoomUsers, emailQueue, follows, notifications, userSettings } from "../../../drizzle/schema";
import { createDirectRoom, createEvent, createPost, createUser, rsvp } from "../../../test/factories";
import { actorOf } from "../../../test/auth";
import { testCtx, useTestDatabase } from "../../../test/harness";
import { notification, notificationCounts, notificationCtes, notify, renderNotificationEmail, type NotifyInput } from "./index";
import { markRead } from "./notifications.service";

const t = await useTestDatabase();

const rowsFor = (userId: number) => t.db.select().from(notifications).where(eq(notifications.userId, userId));
const emailsFor = (userId: number) => t.db.select().from(emailQueue).where(eq(emailQueue.userId, userId));

async function pair(recipient: Parameters<typeof createUser>[1] = {}) {
  const [ana, bruno] = await Promise.all([createUser(t.db, recipient), createUser(t.db)]);
  return { ana, bruno };
}

function prefer(userId: number, preferences: Record<string, { inApp?: boolean; email?: boolean }>) {
  return t.db.insert(userSettings).values({ userId, notificationPreferences: preferences });
}

describe("notify (happy path)", () => {
  it("writes a notification with its actor, subject and data", async () => {
    const { ana, bruno } = await pair();
    const result = await notify(t.db, { to: [ana.id], type: "post_like", actorId: bruno.id, subjectType: "post", subjectId: 7, data: { excerpt: "Hola" } });
    expect(result).toEqual({ created: 1, bumped: 0, emailsQueued: 0 });
    const [row] = await rowsFor(ana.id);
    expect(row).toMatchObject({ type: "post_like", actorId: bruno.id, subjectType: "post", subjectId: 7, data: { excerpt: "Hola" }, count: 1, isRead: false });
    expect(await emailsFor(ana.id)).toEqual([]);
  });

  it("folds an unread repeat of the same event into one row: count grows, data and updated_at refresh", async () => {
    const { ana, bruno } = await pair();
    const input: NotifyInput = { to: [ana.id], type: "post_like", actorId: bruno.id, subjectType: "post", subjectId: 1 };
    const first = await notify(t.db, { ...input, data: { n: 1 } });
    const [before] = await rowsFor(ana.id);
    const second = await notify(t.db, { ...input, data: { n: 2 } });
    expect([first, second]).toEqual([{ created: 1, bumped: 0, emailsQueued: 0 }, { created: 0, bumped: 1, emailsQueued: 0 }]);
    const [after, ...others] = await rowsFor(ana.id);
    expect(others).toEqual([]);
    expect(after).toMatchObject({ count: 2, data: { n: 2 } });
    expect(after!.updatedAt.getTime()).toBeGreaterThan(before!.updatedAt.getTime());
  });

  it("folds concurrent repeats into one row without losing a count", async () => {
    const { ana, bruno } = await pair();
    const input: NotifyInput = { to: [ana.id], type: "message", actorId: bruno.id, subjectType: "chat_room", subjectId: 4 };
    await Promise.all(Array.from({ length: 8 }, () => notify(t.db, input)));
    expect((await rowsFor(ana.id)).map((r) => r.count)).toEqual([8]);
  });

  it("keeps different actors and subjects apart", async () => {
    const { ana, bruno } = await pair();
    const carla = await createUser(t.db);
    await notify(t.db, { to: [ana.id], type: "post_like", actorId: bruno.id, subjectType: "post", subjectId: 1 });
    await notify(t.db, { to: [ana.id], type: "post_like", actorId: carla.id, subjectType: "post", subjectId: 1 });
    await notify(t.db, { to: [ana.id], type: "post_like", actorId: bruno.id, subjectType: "post", subjectId: 2 });
    expect((await rowsFor(ana.id)).map((r) => r.count)).toEqual([1, 1, 1]);
  });

  it("starts a new notification for a repeat once the first was read", async () => {
    const { ana, bruno } = await pair();
    const input: NotifyInput = { to: [ana.id], type: "new_follower", actorId: bruno.id };
    await notify(t.db, input);
    const [first] = await rowsFor(ana.id);
    await markRead({ ...testCtx(t), actor: actorOf(ana) }, { id: first!.id });
    expect(await notify(t.db, input)).toEqual({ created: 1, bumped: 0, emailsQueued: 0 });
    const rows = await rowsFor(ana.id);
    expect(rows.map((r) => [r.isRead, r.count]).sort()).toEqual([[false, 1], [true, 1]]);
  });

  it("queues an email when the recipient turned email on, once per new event (not per repeat), holding what it is rendered from", async () => {
    const { ana, bruno } = await pair({ isVerified: true });
    await t.db.execute(sql`UPDATE users SET name = ${"Bruno <b>& Co"} WHERE id = ${bruno.id}`);
    await prefer(ana.id, { post_like: { email: true } });
    const input: NotifyInput = { to: [ana.id], type: "post_like", actorId: bruno.id, subjectType: "post", subjectId: 3, data: { excerpt: "Hola" } };
    expect((await notify(t.db, input)).emailsQueued).toBe(1);
    expect((await notify(t.db, input)).emailsQueued).toBe(0);
    const [mail, ...more] = await emailsFor(ana.id);
    expect(more).toEqual([]);
    // Nothing rendered or escaped in SQL: the job renders it when it sends it.
    expect(mail).toMatchObject({
      toEmail: ana.email,
      template: "notification",
      status: "pending",
      subject: "",
      bodyText: "",
      bodyHtml: null,
      data: { type: "post_like", actorName: "Bruno <b>& Co", data: { excerpt: "Hola" } },
    });
    const email = renderNotificationEmail(mail!.data, { APP_URL: "https://app.mundotango.test" });
    expect(email.subject).toBe('"Bruno <b>& Co" liked your post');
    expect(email.text).toContain("https://app.mundotango.test/notifications");
    expect(email.html).toContain("Bruno &#60;b&#62;&#38; Co liked your post");
    expect(email.html).not.toContain("<b>");
  });

  it("quotes the actor's name in the subject and keeps it on one line, even from a legacy row with control characters", async () => {
    const { ana, bruno } = await pair({ isVerified: true });
    await t.db.execute(sql`UPDATE users SET name = ${"Bruno\r\nBcc: x@evil.test\u0007 Perez"} WHERE id = ${bruno.id}`);
    await prefer(ana.id, { new_follower: { email: true } });
    await notify(t.db, { to: [ana.id], type: "new_follower", actorId: bruno.id });
    const [mail] = await emailsFor(ana.id);
    expect(mail!.data).toMatchObject({ actorName: "Bruno Bcc: x@evil.test Perez" });
    const { subject } = renderNotificationEmail(mail!.data, { APP_URL: "https://app.mundotango.test" });
    expect(subject).toBe('"Bruno Bcc: x@evil.test Perez" started following you');
    // eslint-disable-next-line no-control-regex
    expect(subject).not.toMatch(/[\u0000-\u001f\u007f]/);
    // A name that reaches the renderer with line breaks anyway (a row queued by hand) stays on one line.
    const forged = renderNotificationEmail({ type: "mention", actorName: "Eve\r\nBcc: x@evil.test", data: {} }, { APP_URL: "https://a.test" });
    expect(forged.subject).toBe('"Eve Bcc: x@evil.test" mentioned you');
  });

  it("emails without an in-app notification when only email is on", async () => {
    const { ana, bruno } = await pair({ isVerified: true });
    await prefer(ana.id, { friend_request: { inApp: false, email: true } });
    const result = await notify(t.db, { to: [ana.id], type: "friend_request", actorId: bruno.id });
    expect(result).toEqual({ created: 0, bumped: 0, emailsQueued: 1 });
    expect(await rowsFor(ana.id)).toEqual([]);
  });

  it("sends system notifications without an actor", async () => {
    const { ana } = await pair();
    expect(await notify(t.db, { to: [ana.id], type: "role_changed", data: { role: "admin" } })).toMatchObject({ created: 1 });
    const [row] = await rowsFor(ana.id);
    expect(row).toMatchObject({ actorId: null, groupKey: "role_changed:::" });
  });

  it("accepts types it does not know yet", async () => {
    const { ana, bruno } = await pair();
    expect((await notify(t.db, { to: [ana.id], type: "housing_booking", actorId: bruno.id })).created).toBe(1);
  });

  it("runs in a db.batch beside the write that caused it", async () => {
    const { ana, bruno } = await pair();
    await t.db.batch([
      t.db.insert(follows).values({ followerId: bruno.id, followingId: ana.id }),
      notification(t.db, { to: [ana.id], type: "new_follower", actorId: bruno.id }),
    ]);
    expect(await rowsFor(ana.id)).toHaveLength(1);
  });

  it("folds into the caller's statement, reading ids from its CTEs and firing only when asked", async () => {
    const { ana, bruno } = await pair();
    const post = await createPost(t.db, { userId: ana.id });
    const likeTwice = () =>
      t.db.execute(sql`
        WITH liked AS (
          INSERT INTO post_likes (post_id, user_id) VALUES (${post.id}, ${bruno.id}) ON CONFLICT DO NOTHING RETURNING post_id
        ),
        ${notificationCtes(
          { to: { from: sql`(SELECT user_id FROM posts WHERE id = ${post.id}) author` }, type: "post_like", actorId: bruno.id, subjectType: "post", subjectId: sql`(SELECT post_id FROM liked)` },
          { when: sql`EXISTS (SELECT 1 FROM liked)`, name: "like_note" },
        )}
        SELECT 1`);
    await likeTwice();
    await likeTwice();
    const rows = await rowsFor(ana.id);
    expect(rows.map((r) => [r.subjectId, r.count])).toEqual([[post.id, 1]]);
  });
});

describe("notify (coalescing by subject)", () => {
  const like = (to: number, actorId: number, subjectId: number): NotifyInput => ({
    to: [to],
    type: "post_like",
    actorId,
    subjectType: "post",
    subjectId,
    coalesce: "subject",
  });

  it("folds everyone's likes of one post into one row: the latest actor shown, each actor counted once", async () => {
    const { ana, bruno } = await pair();
    const carla = await createUser(t.db);
    expect(await notify(t.db, like(ana.id, bruno.id, 1))).toEqual({ created: 1, bumped: 0, emailsQueued: 0 });
    await notify(t.db, like(ana.id, carla.id, 1));
    await notify(t.db, like(ana.id, bruno.id, 1));
    await notify(t.db, like(ana.id, bruno.id, 2));
    const rows = await rowsFor(ana.id);
    const post1 = rows.find((r) => r.subjectId === 1)!;
    expect(post1).toMatchObject({ count: 2, actorId: bruno.id, data: { actorIds: [carla.id, bruno.id] } });
    expect(rows.find((r) => r.subjectId === 2)).toMatchObject({ count: 1, actorId: bruno.id });
    expect(rows).toHaveLength(2);
  });

  it("counts distinct actors exactly under concurrent likes, and apart from actor-coalesced rows", async () => {
    const ana = await createUser(t.db);
    const likers = await Promise.all(Array.from({ length: 8 }, () => createUser(t.db)));
    await Promise.all([...likers, ...likers].map((liker) => notify(t.db, like(ana.id, liker.id, 9))));
    await notify(t.db, { to: [ana.id], type: "post_like", actorId: likers[0]!.id, subjectType: "post", subjectId: 9 });
    const rows = await rowsFor(ana.id);
    expect(rows.map((r) => r.count).sort()).toEqual([1, 8]);
    const folded = rows.find((r) => r.count === 8)!;
    expect([...(folded.data as { actorIds: number[] }).actorIds].sort((a, b) => a - b)).toEqual(likers.map((l) => l.id).sort((a, b) => a - b));
  });

  it("starts over once read, and still never notifies across a block", async () => {
    const { ana, bruno } = await pair();
    await notify(t.db, like(ana.id, bruno.id, 3));
    await t.db.update(notifications).set({ isRead: true }).where(eq(notifications.userId, ana.id));
    await t.db.insert(blockedUsers).values({ blockerId: ana.id, blockedId: bruno.id });
    expect(await notify(t.db, like(ana.id, bruno.id, 3))).toEqual({ created: 0, bumped: 0, emailsQueued: 0 });
    const carla = await createUser(t.db);
    expect(await notify(t.db, like(ana.id, carla.id, 3))).toEqual({ created: 1, bumped: 0, emailsQueued: 0 });
  });
});

describe("notify (sets of recipients)", () => {
  it("fans a mention out to many recipients in one statement, applying every rule to each", async () => {
    const bruno = await createUser(t.db);
    const [plain, blocking, blockedByActor, inAppOff, byEmail, pending, unverified] = await Promise.all([
      createUser(t.db),
      createUser(t.db, { isVerified: true }),
      createUser(t.db, { isVerified: true }),
      createUser(t.db, { isVerified: true }),
      createUser(t.db, { isVerified: true }),
      createUser(t.db, { isVerified: true }),
      createUser(t.db, { isVerified: false }),
    ]);
    await t.db.insert(blockedUsers).values([
      { blockerId: blocking.id, blockedId: bruno.id },
      { blockerId: bruno.id, blockedId: blockedByActor.id },
    ]);
    for (const user of [blocking, blockedByActor, byEmail, pending, unverified]) await prefer(user.id, { mention: { email: true } });
    await prefer(inAppOff.id, { mention: { inApp: false } });
    const post = await createPost(t.db, { userId: bruno.id });
    const mention = (to: number[]): NotifyInput => ({ to, type: "mention", actorId: bruno.id, subjectType: "post", subjectId: post.id, data: { excerpt: "@all" } });
    // An unread mention of the same group is pending (no email for the bump below).
    expect(await notify(t.db, mention([pending.id]))).toEqual({ created: 1, bumped: 0, emailsQueued: 1 });

    const everyone = [plain, blocking, blockedByActor, inAppOff, byEmail, pending, unverified].map((u) => u.id);
    const result = await notify(t.db, mention([...everyone, bruno.id, plain.id, 2_000_000_000]));
    expect(result).toEqual({ created: 3, bumped: 1, emailsQueued: 1 });

    const counts = async (userId: number) => (await rowsFor(userId)).map((r) => r.count);
    expect(await counts(plain.id)).toEqual([1]); // listed twice, notified once
    expect(await counts(byEmail.id)).toEqual([1]);
    expect(await counts(unverified.id)).toEqual([1]);
    expect(await counts(pending.id)).toEqual([2]);
    for (const nobody of [blocking, blockedByActor, inAppOff, bruno]) expect(await counts(nobody.id)).toEqual([]);
    expect((await emailsFor(byEmail.id)).map((m) => m.data)).toEqual([{ type: "mention", actorName: bruno.name ?? bruno.username, data: { excerpt: "@all" } }]);
    expect(await emailsFor(pending.id)).toHaveLength(1); // the first one only
    for (const quiet of [plain, blocking, blockedByActor, inAppOff, unverified]) expect(await emailsFor(quiet.id)).toEqual([]);
  });

  it("takes its recipients from SQL: every member of a chat room except the sender, with the message written in the same statement", async () => {
    const [sender, ...members] = await Promise.all(Array.from({ length: 5 }, () => createUser(t.db)));
    const room = await createDirectRoom(t.db, sender!.id, members[0]!.id);
    await t.db.insert(chatRoomUsers).values(members.slice(1).map((m) => ({ chatRoomId: room.id, userId: m.id })));
    const send = () =>
      t.db.execute<{ created: number; bumped: number; emails_queued: number }>(sql`
        WITH sent AS (
          INSERT INTO chat_messages (chat_room_id, user_id, message, room_seq)
          SELECT ${room.id}, ${sender!.id}, 'hola', coalesce(max(room_seq), 0) + 1 FROM chat_messages WHERE chat_room_id = ${room.id}
          RETURNING chat_room_id
        ),
        ${notificationCtes(
          {
            to: { from: sql`(SELECT m.user_id FROM chat_room_users m JOIN sent ON sent.chat_room_id = m.chat_room_id) members` },
            type: "message",
            actorId: sender!.id,
            subjectType: "chat_room",
            subjectId: room.id,
          },
          { name: "chat_note" },
        )}
        SELECT ${notificationCounts("chat_note")}`);
    expect((await send()).rows).toEqual([{ created: 4, bumped: 0, emails_queued: 0 }]);
    expect((await send()).rows).toEqual([{ created: 0, bumped: 4, emails_queued: 0 }]);
    for (const member of members) expect((await rowsFor(member.id)).map((r) => [r.subjectId, r.count])).toEqual([[room.id, 2]]);
    expect(await rowsFor(sender!.id)).toEqual([]);
  });

  it("gives each recipient its own subject and data from the SQL rows: a reminder for every event, to everyone going", async () => {
    const host = await createUser(t.db);
    const [both, first, second] = await Promise.all([createUser(t.db, { isVerified: true }), createUser(t.db), createUser(t.db)]);
    await prefer(both.id, { event_reminder: { email: true } });
    const events = [await createEvent(t.db, { userId: host.id, title: "Milonga A" }), await createEvent(t.db, { userId: host.id, title: "Milonga B" })];
    await rsvp(t.db, events[0]!.id, both.id);
    await rsvp(t.db, events[1]!.id, both.id);
    await rsvp(t.db, events[0]!.id, first.id);
    await rsvp(t.db, events[1]!.id, second.id);
    await rsvp(t.db, events[1]!.id, host.id, "interested");
    const ids = events.map((e) => e.id);
    const result = await notify(t.db, {
      to: {
        from: sql`(SELECT r.user_id, r.event_id, e.title FROM event_rsvps r JOIN events e ON e.id = r.event_id
                   WHERE r.event_id IN (${ids[0]}, ${ids[1]}) AND r.status = 'going') going`,
      },
      type: "event_reminder",
      subjectType: "event",
      subjectId: sql`recipient.event_id`,
      data: sql`jsonb_build_object('eventTitle', recipient.title)`,
    });
    expect(result).toEqual({ created: 4, bumped: 0, emailsQueued: 2 });
    const seen = async (userId: number) => (await rowsFor(userId)).map((r) => [r.subjectId, r.data]).sort();
    expect(await seen(both.id)).toEqual([[ids[0], { eventTitle: "Milonga A" }], [ids[1], { eventTitle: "Milonga B" }]]);
    expect(await seen(first.id)).toEqual([[ids[0], { eventTitle: "Milonga A" }]]);
    expect(await seen(second.id)).toEqual([[ids[1], { eventTitle: "Milonga B" }]]);
    expect(await rowsFor(host.id)).toEqual([]);
    const subjects = (await emailsFor(both.id)).map((m) => renderNotificationEmail(m.data, { APP_URL: "https://a.test" }).subject).sort();
    expect(subjects).toEqual(["Reminder: Milonga A is coming up", "Reminder: Milonga B is coming up"]);
  });

  it("folds concurrent fan-outs to overlapping sets without losing a count or deadlocking", async () => {
    const actor = await createUser(t.db);
    const recipients = (await Promise.all(Array.from({ length: 6 }, () => createUser(t.db)))).map((u) => u.id);
    const input = (i: number): NotifyInput => ({
      // Each run lists the set in another order and leaves one out.
      to: [...recipients.slice(i % 6), ...recipients.slice(0, i % 6)].reverse().filter((_, j) => j !== i % 5),
      type: "message",
      actorId: actor.id,
      subjectType: "chat_room",
      subjectId: 1,
    });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => notify(t.db, input(i))));
    const total = (await Promise.all(recipients.map(rowsFor))).flat();
    expect(new Set(total.map((r) => r.userId)).size).toBe(6);
    expect(total).toHaveLength(6);
    expect(total.reduce((sum, r) => sum + r.count, 0)).toBe(12 * 5);
    expect(results.reduce((sum, r) => sum + r.created + r.bumped, 0)).toBe(12 * 5);
  });

  it("does nothing for an empty set, and runs in a db.batch with its counts", async () => {
    const { ana, bruno } = await pair();
    expect(await notify(t.db, { to: [], type: "mention", actorId: bruno.id })).toEqual({ created: 0, bumped: 0, emailsQueued: 0 });
    const [, counted] = await t.db.batch([
      t.db.insert(follows).values({ followerId: bruno.id, followingId: ana.id }),
      notification(t.db, { to: [ana.id], type: "new_follower", actorId: bruno.id }),
    ]);
    expect(counted.rows).toEqual([{ created: 1, bumped: 0, emails_queued: 0 }]);
  });
});

describe("notify (rules)", () => {
  it("never notifies you of your own action", async () => {
    const { ana } = await pair();
    expect(await notify(t.db, { to: [ana.id], type: "post_like", actorId: ana.id })).toEqual({ created: 0, bumped: 0, emailsQueued: 0 });
    expect(await rowsFor(ana.id)).toEqual([]);
  });

  it.each(["recipient blocked actor", "actor blocked recipient"])("sends nothing across a block (%s)", async (direction) => {
    const { ana, bruno } = await pair({ isVerified: true });
    await prefer(ana.id, { mention: { email: true } });
    const [blockerId, blockedId] = direction === "recipient blocked actor" ? [ana.id, bruno.id] : [bruno.id, ana.id];
    await t.db.insert(blockedUsers).values({ blockerId, blockedId });
    expect(await notify(t.db, { to: [ana.id], type: "mention", actorId: bruno.id })).toEqual({ created: 0, bumped: 0, emailsQueued: 0 });
    expect(await rowsFor(ana.id)).toEqual([]);
    expect(await emailsFor(ana.id)).toEqual([]);
  });

  it("honours inApp: false for that type only", async () => {
    const { ana, bruno } = await pair();
    await prefer(ana.id, { post_like: { inApp: false } });
    await notify(t.db, { to: [ana.id], type: "post_like", actorId: bruno.id });
    await notify(t.db, { to: [ana.id], type: "post_comment", actorId: bruno.id });
    expect((await rowsFor(ana.id)).map((r) => r.type)).toEqual(["post_comment"]);
  });

  it("does not email an unverified address, even with email on", async () => {
    const { ana, bruno } = await pair({ isVerified: false });
    await prefer(ana.id, { post_like: { email: true } });
    expect((await notify(t.db, { to: [ana.id], type: "post_like", actorId: bruno.id })).emailsQueued).toBe(0);
  });

  it("skips an actor or recipient that does not exist instead of failing the caller", async () => {
    const { ana } = await pair();
    const nothing = { created: 0, bumped: 0, emailsQueued: 0 };
    expect(await notify(t.db, { to: [ana.id], type: "mention", actorId: 2_000_000_000 })).toEqual(nothing);
    expect(await notify(t.db, { to: [2_000_000_000], type: "mention", actorId: ana.id })).toEqual(nothing);
  });
});

describe("notify (errors)", () => {
  it.each(["Post_Like", "", "post-like", "x".repeat(65)])("refuses the malformed type %j", (type) => {
    expect(() => notificationCtes({ to: [1], type })).toThrow(TypeError);
  });

  it.each([[1.5], [Number.NaN], ["1" as unknown as number]])("refuses a recipient that is not a user id (%j)", (id) => {
    expect(() => notificationCtes({ to: [1, id], type: "mention" })).toThrow(TypeError);
  });

  it("refuses a malformed subject type or CTE name", () => {
    expect(() => notificationCtes({ to: [1], type: "mention", subjectType: "Post; DROP" })).toThrow(TypeError);
    expect(() => notificationCtes({ to: [1], type: "mention" }, { name: "x y" })).toThrow(TypeError);
  });

  it("leaves no half-written state when the batch it is in fails", async () => {
    const { ana, bruno } = await pair();
    await expect(
      t.db.batch([
        notification(t.db, { to: [ana.id], type: "new_follower", actorId: bruno.id }),
        t.db.insert(follows).values({ followerId: bruno.id, followingId: 2_000_000_000 }),
      ]),
    ).rejects.toThrow();
    expect(await t.db.select().from(notifications).where(and(eq(notifications.userId, ana.id)))).toEqual([]);
  });
});
