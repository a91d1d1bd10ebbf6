import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, emailQueue, follows, notifications, userSettings } from "../../../drizzle/schema";
import { createPost, createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { notification, notificationCtes, notify, type NotifyInput } from "./index";
import { markRead } from "./notifications.service";

const t = await useTestDatabase();
const appUrl = "https://app.mundotango.test";

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
    const result = await notify(t.db, { userId: ana.id, type: "post_like", actorId: bruno.id, subjectType: "post", subjectId: 7, data: { excerpt: "Hola" } }, { appUrl });
    expect(result).toEqual({ notificationId: expect.any(Number), emailsQueued: 0 });
    const [row] = await rowsFor(ana.id);
    expect(row).toMatchObject({ id: result.notificationId, type: "post_like", actorId: bruno.id, subjectType: "post", subjectId: 7, data: { excerpt: "Hola" }, count: 1, isRead: false });
    expect(await emailsFor(ana.id)).toEqual([]);
  });

  it("folds an unread repeat of the same event into one row: count grows, data and updated_at refresh", async () => {
    const { ana, bruno } = await pair();
    const input: NotifyInput = { userId: ana.id, type: "post_like", actorId: bruno.id, subjectType: "post", subjectId: 1 };
    const first = await notify(t.db, { ...input, data: { n: 1 } }, { appUrl });
    const [before] = await rowsFor(ana.id);
    const second = await notify(t.db, { ...input, data: { n: 2 } }, { appUrl });
    expect(second.notificationId).toBe(first.notificationId);
    const [after, ...others] = await rowsFor(ana.id);
    expect(others).toEqual([]);
    expect(after).toMatchObject({ count: 2, data: { n: 2 } });
    expect(after!.updatedAt.getTime()).toBeGreaterThan(before!.updatedAt.getTime());
  });

  it("folds concurrent repeats into one row without losing a count", async () => {
    const { ana, bruno } = await pair();
    const input: NotifyInput = { userId: ana.id, type: "message", actorId: bruno.id, subjectType: "chat_room", subjectId: 4 };
    await Promise.all(Array.from({ length: 8 }, () => notify(t.db, input, { appUrl })));
    expect((await rowsFor(ana.id)).map((r) => r.count)).toEqual([8]);
  });

  it("keeps different actors and subjects apart", async () => {
    const { ana, bruno } = await pair();
    const carla = await createUser(t.db);
    await notify(t.db, { userId: ana.id, type: "post_like", actorId: bruno.id, subjectType: "post", subjectId: 1 }, { appUrl });
    await notify(t.db, { userId: ana.id, type: "post_like", actorId: carla.id, subjectType: "post", subjectId: 1 }, { appUrl });
    await notify(t.db, { userId: ana.id, type: "post_like", actorId: bruno.id, subjectType: "post", subjectId: 2 }, { appUrl });
    expect((await rowsFor(ana.id)).map((r) => r.count)).toEqual([1, 1, 1]);
  });

  it("starts a new notification for a repeat once the first was read", async () => {
    const { ana, bruno } = await pair();
    const input: NotifyInput = { userId: ana.id, type: "new_follower", actorId: bruno.id };
    const first = await notify(t.db, input, { appUrl });
    await markRead(t.db, ana.id, first.notificationId!);
    const second = await notify(t.db, input, { appUrl });
    expect(second.notificationId).not.toBe(first.notificationId);
    const rows = await rowsFor(ana.id);
    expect(rows.map((r) => [r.isRead, r.count]).sort()).toEqual([[false, 1], [true, 1]]);
  });

  it("queues an email when the recipient turned email on, once per new event (not per repeat)", async () => {
    const { ana, bruno } = await pair({ isVerified: true });
    await t.db.execute(sql`UPDATE users SET name = ${"Bruno <b>& Co"} WHERE id = ${bruno.id}`);
    await prefer(ana.id, { post_like: { email: true } });
    const input: NotifyInput = { userId: ana.id, type: "post_like", actorId: bruno.id, subjectType: "post", subjectId: 3 };
    expect((await notify(t.db, input, { appUrl })).emailsQueued).toBe(1);
    expect((await notify(t.db, input, { appUrl })).emailsQueued).toBe(0);
    const [mail, ...more] = await emailsFor(ana.id);
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ toEmail: ana.email, template: "notification", status: "pending", subject: '"Bruno <b>& Co" liked your post' });
    expect(mail!.bodyText).toContain(`${appUrl}/notifications`);
    expect(mail!.bodyHtml).toContain("Bruno &#60;b&#62;&#38; Co liked your post");
    expect(mail!.bodyHtml).not.toContain("<b>");
  });

  it("quotes the actor's name in the subject and keeps it on one line, even from a legacy row with control characters", async () => {
    const { ana, bruno } = await pair({ isVerified: true });
    await t.db.execute(sql`UPDATE users SET name = ${"Bruno\r\nBcc: x@evil.test\u0007 Perez"} WHERE id = ${bruno.id}`);
    await prefer(ana.id, { new_follower: { email: true } });
    await notify(t.db, { userId: ana.id, type: "new_follower", actorId: bruno.id }, { appUrl });
    const [mail] = await emailsFor(ana.id);
    expect(mail!.subject).toBe('"Bruno Bcc: x@evil.test Perez" started following you');
    // eslint-disable-next-line no-control-regex
    expect(mail!.subject).not.toMatch(/[\u0000-\u001f\u007f]/);
  });

  it("emails without an in-app notification when only email is on", async () => {
    const { ana, bruno } = await pair({ isVerified: true });
    await prefer(ana.id, { friend_request: { inApp: false, email: true } });
    const result = await notify(t.db, { userId: ana.id, type: "friend_request", actorId: bruno.id }, { appUrl });
    expect(result).toEqual({ notificationId: null, emailsQueued: 1 });
    expect(await rowsFor(ana.id)).toEqual([]);
  });

  it("sends system notifications without an actor", async () => {
    const { ana } = await pair();
    const result = await notify(t.db, { userId: ana.id, type: "role_changed", data: { role: "admin" } }, { appUrl });
    const [row] = await rowsFor(ana.id);
    expect(row).toMatchObject({ id: result.notificationId, actorId: null, groupKey: "role_changed:::" });
  });

  it("accepts types it does not know yet", async () => {
    const { ana, bruno } = await pair();
    expect((await notify(t.db, { userId: ana.id, type: "housing_booking", actorId: bruno.id }, { appUrl })).notificationId).not.toBeNull();
  });

  it("runs in a db.batch beside the write that caused it", async () => {
    const { ana, bruno } = await pair();
    await t.db.batch([
      t.db.insert(follows).values({ followerId: bruno.id, followingId: ana.id }),
      notification(t.db, { userId: ana.id, type: "new_follower", actorId: bruno.id }, { appUrl }),
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
          { userId: sql`(SELECT user_id FROM posts WHERE id = ${post.id})`, type: "post_like", actorId: bruno.id, subjectType: "post", subjectId: sql`(SELECT post_id FROM liked)` },
          { appUrl, when: sql`EXISTS (SELECT 1 FROM liked)`, name: "like_note" },
        )}
        SELECT 1`);
    await likeTwice();
    await likeTwice();
    const rows = await rowsFor(ana.id);
    expect(rows.map((r) => [r.subjectId, r.count])).toEqual([[post.id, 1]]);
  });
});

describe("notify (rules)", () => {
  it("never notifies you of your own action", async () => {
    const { ana } = await pair();
    expect(await notify(t.db, { userId: ana.id, type: "post_like", actorId: ana.id }, { appUrl })).toEqual({ notificationId: null, emailsQueued: 0 });
    expect(await rowsFor(ana.id)).toEqual([]);
  });

  it.each(["recipient blocked actor", "actor blocked recipient"])("sends nothing across a block (%s)", async (direction) => {
    const { ana, bruno } = await pair({ isVerified: true });
    await prefer(ana.id, { mention: { email: true } });
    const [blockerId, blockedId] = direction === "recipient blocked actor" ? [ana.id, bruno.id] : [bruno.id, ana.id];
    await t.db.insert(blockedUsers).values({ blockerId, blockedId });
    expect(await notify(t.db, { userId: ana.id, type: "mention", actorId: bruno.id }, { appUrl })).toEqual({ notificationId: null, emailsQueued: 0 });
    expect(await rowsFor(ana.id)).toEqual([]);
    expect(await emailsFor(ana.id)).toEqual([]);
  });

  it("honours inApp: false for that type only", async () => {
    const { ana, bruno } = await pair();
    await prefer(ana.id, { post_like: { inApp: false } });
    await notify(t.db, { userId: ana.id, type: "post_like", actorId: bruno.id }, { appUrl });
    await notify(t.db, { userId: ana.id, type: "post_comment", actorId: bruno.id }, { appUrl });
    expect((await rowsFor(ana.id)).map((r) => r.type)).toEqual(["post_comment"]);
  });

  it("does not email an unverified address, even with email on", async () => {
    const { ana, bruno } = await pair({ isVerified: false });
    await prefer(ana.id, { post_like: { email: true } });
    expect((await notify(t.db, { userId: ana.id, type: "post_like", actorId: bruno.id }, { appUrl })).emailsQueued).toBe(0);
  });

  it("skips an actor or recipient that does not exist instead of failing the caller", async () => {
    const { ana } = await pair();
    expect((await notify(t.db, { userId: ana.id, type: "mention", actorId: 2_000_000_000 }, { appUrl })).notificationId).toBeNull();
    expect((await notify(t.db, { userId: 2_000_000_000, type: "mention", actorId: ana.id }, { appUrl })).notificationId).toBeNull();
  });
});

describe("notify (errors)", () => {
  it.each(["Post_Like", "", "post-like", "x".repeat(65)])("refuses the malformed type %j", (type) => {
    expect(() => notificationCtes({ userId: 1, type }, { appUrl })).toThrow(TypeError);
  });

  it("refuses a malformed subject type or CTE name", () => {
    expect(() => notificationCtes({ userId: 1, type: "mention", subjectType: "Post; DROP" }, { appUrl })).toThrow(TypeError);
    expect(() => notificationCtes({ userId: 1, type: "mention" }, { appUrl, name: "x y" })).toThrow(TypeError);
  });

  it("leaves no half-written state when the batch it is in fails", async () => {
    const { ana, bruno } = await pair();
    await expect(
      t.db.batch([
        notification(t.db, { userId: ana.id, type: "new_follower", actorId: bruno.id }, { appUrl }),
        t.db.insert(follows).values({ followerId: bruno.id, followingId: 2_000_000_000 }),
      ]),
    ).rejects.toThrow();
    expect(await t.db.select().from(notifications).where(and(eq(notifications.userId, ana.id)))).toEqual([]);
  });
});
