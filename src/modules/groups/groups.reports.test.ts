import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { groups, moderationActions, moderationQueue } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { addGroupMember, createGroup, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { allPages } from "../../../test/pages";

const t = await useTestDatabase();

const report = (token: string, groupId: number, reason = "spam") => t.api.post(`/api/groups/${groupId}/report`, { token, json: { reason } });

async function openItem(groupId: number) {
  const [item] = await t.db
    .select()
    .from(moderationQueue)
    .where(and(eq(moderationQueue.targetType, "group"), eq(moderationQueue.targetId, groupId)));
  return item!;
}

describe("reports on groups (target `group`)", () => {
  it("queues a report, once per reporter, and refuses the creator's own (400)", async () => {
    const creator = await signedIn(t);
    const reporter = await signedIn(t);
    const group = await createGroup(t.db, { createdBy: creator.user.id });
    const res = await report(reporter.token, group.id);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ targetType: "group", targetId: group.id, reason: "spam" });
    expect([(await report(reporter.token, group.id)).body.code]).toEqual(["already_reported"]);
    expect((await report(creator.token, group.id)).body.code).toBe("cannot_report_self");
    expect(await openItem(group.id)).toMatchObject({ targetOwnerId: creator.user.id, reportCount: 1, status: "pending" });
  });

  it("takes reports on a city community, which has no creator", async () => {
    const reporter = await signedIn(t);
    const key = unique("ciudad");
    const city = await createGroup(t.db, { createdBy: null, type: "city", name: key, cityKey: key });
    expect((await report(reporter.token, city.id)).status).toBe(201);
    expect(await openItem(city.id)).toMatchObject({ targetOwnerId: null, reportCount: 1 });
  });

  it("hides the group after three reporters: gone for members and everyone but its admins", async () => {
    const creator = await signedIn(t);
    const member = await signedIn(t);
    const group = await createGroup(t.db, { createdBy: creator.user.id, name: unique("Reported") });
    await addGroupMember(t.db, group.id, member.user.id);
    const reporters = await Promise.all(Array.from({ length: 3 }, () => signedIn(t)));
    const results = await Promise.all(reporters.map(({ token }) => report(token, group.id)));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    expect((await t.db.select().from(groups).where(eq(groups.id, group.id)))[0]!.hiddenAt).not.toBeNull();
    expect((await t.api.get(`/api/groups/${group.id}`, { token: member.token })).status).toBe(404);
    expect((await t.api.get(`/api/groups/${group.id}`, { token: creator.token })).body.hidden).toBe(true);
    const search = await t.api.get(`/api/search?type=groups&q=${encodeURIComponent(group.name)}`, { token: member.token });
    expect(search.body.items).toEqual([]);
    const item = await openItem(group.id);
    const actions = await t.db.select().from(moderationActions).where(eq(moderationActions.queueId, item.id));
    expect(actions.map((a) => a.action)).toEqual(["auto_hide"]);
  });

  it("lets a moderator see the group in the queue, then unhide it or remove it", async () => {
    const creator = await signedIn(t);
    const moderator = await signedIn(t, { role: "admin" });
    const group = await createGroup(t.db, { createdBy: creator.user.id, name: unique("Queued") });
    const reporters = await Promise.all(Array.from({ length: 3 }, () => signedIn(t)));
    for (const { token } of reporters) await report(token, group.id);
    const item = await openItem(group.id);
    const shown = await t.api.get(`/api/moderation/queue/${item.id}`, { token: moderator.token });
    expect(shown.body.target).toMatchObject({ type: "group", id: group.id, exists: true, content: group.name, hidden: true, owner: { id: creator.user.id } });
    const unhidden = await t.api.post(`/api/moderation/queue/${item.id}/resolve`, { token: moderator.token, json: { action: "unhide" } });
    expect([unhidden.status, unhidden.body.applied]).toEqual([200, true]);
    expect((await t.api.get(`/api/groups/${group.id}`, { token: reporters[0]!.token })).status).toBe(200);

    const other = await signedIn(t);
    await report(other.token, group.id, "hate");
    const second = (await t.db.select().from(moderationQueue).where(and(eq(moderationQueue.targetId, group.id), eq(moderationQueue.status, "pending"))))[0]!;
    const removed = await t.api.post(`/api/moderation/queue/${second.id}/resolve`, { token: moderator.token, json: { action: "remove" } });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body.action.snapshot).toMatchObject({ id: group.id, name: group.name, createdBy: creator.user.id });
    expect(await t.db.select().from(groups).where(eq(groups.id, group.id))).toEqual([]);
  });

  it("refuses suspending over a group report (400 action_not_applicable), and a report of a hidden group (404)", async () => {
    const creator = await signedIn(t);
    const moderator = await signedIn(t, { role: "admin" });
    const reporter = await signedIn(t);
    const group = await createGroup(t.db, { createdBy: creator.user.id });
    await report(reporter.token, group.id);
    const res = await t.api.post(`/api/moderation/queue/${(await openItem(group.id)).id}/resolve`, {
      token: moderator.token,
      json: { action: "suspend" },
    });
    expect([res.status, res.body.code]).toEqual([400, "action_not_applicable"]);
    const hidden = await createGroup(t.db, { createdBy: creator.user.id, hiddenAt: new Date() });
    expect((await report(reporter.token, hidden.id)).status).toBe(404);
  });
});

describe("GET /api/search?type=groups", () => {
  it("finds groups by a name resembling the query, best first, every one once across pages", async () => {
    const admin = await signedIn(t);
    const word = unique("Cachirulo").toLowerCase();
    const exact = await createGroup(t.db, { createdBy: admin.user.id, name: word, type: "private" });
    const longer = await createGroup(t.db, { createdBy: null, name: `Los amigos del ${word}`, memberCount: 0 });
    const hidden = await createGroup(t.db, { createdBy: admin.user.id, name: word, hiddenAt: new Date() });
    await createGroup(t.db, { createdBy: null, name: "Something else entirely", memberCount: 0 });
    const pages = await allPages(t.api, `/api/search?type=groups&q=${encodeURIComponent(word)}&limit=1`);
    const ids = pages.flatMap((p) => p.items.map((g) => g.id));
    expect(ids.sort()).toEqual([exact.id, longer.id].sort());
    const adminIds = (await allPages(t.api, `/api/search?type=groups&q=${encodeURIComponent(word)}`, admin.token)).flatMap((p) => p.items.map((g) => g.id));
    expect(adminIds.sort()).toEqual([exact.id, longer.id, hidden.id].sort());
    const first = await t.api.get(`/api/search?type=groups&q=${encodeURIComponent(word)}`, { token: admin.token });
    expect(first.body).toMatchObject({ type: "groups" });
    expect(first.body.items[0]).toMatchObject({ name: expect.stringContaining(word), membership: { role: "admin", status: "active" } });
  });
});
