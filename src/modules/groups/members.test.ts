import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, friendshipActivities, groupMembers, notifications, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { addGroupMember, befriend, createGroup, createUser, groupCounts } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { allPages } from "../../../test/pages";

const t = await useTestDatabase();

async function membership(groupId: number, userId: number) {
  const [row] = await t.db
    .select()
    .from(groupMembers)
    .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, userId)));
  return row;
}

async function expectExact(groupId: number, memberCount: number) {
  const counts = await groupCounts(t.db, groupId);
  expect(counts.memberCount).toBe(counts.active);
  expect(counts.memberCount).toBe(memberCount);
}

async function togetherActivities(friendshipIds: number[]) {
  const rows = await t.db.select().from(friendshipActivities).where(eq(friendshipActivities.activityType, "group_joined_together"));
  return rows.filter((row) => friendshipIds.includes(row.friendshipId));
}

describe("POST /api/groups/{id}/join", () => {
  it("makes the caller an active member of an open group, counted, and is idempotent", async () => {
    const admin = await createUser(t.db);
    const { user, token } = await signedIn(t);
    const group = await createGroup(t.db, { createdBy: admin.id });
    const first = await t.api.post(`/api/groups/${group.id}/join`, { token });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ groupId: group.id, status: "active", role: "member", since: expect.any(String) });
    const again = await t.api.post(`/api/groups/${group.id}/join`, { token });
    expect(again.body).toEqual(first.body);
    expect(await membership(group.id, user.id)).toMatchObject({ status: "active", role: "member" });
    await expectExact(group.id, 2);
  });

  it("counts exactly when many dancers join at once, and when one joins many times at once", async () => {
    const admin = await createUser(t.db);
    const group = await createGroup(t.db, { createdBy: admin.id });
    const dancers = await Promise.all(Array.from({ length: 12 }, () => signedIn(t)));
    const results = await Promise.all(dancers.map(({ token }) => t.api.post(`/api/groups/${group.id}/join`, { token })));
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
    await expectExact(group.id, 13);
    const repeated = await Promise.all(Array.from({ length: 6 }, () => t.api.post(`/api/groups/${group.id}/join`, { token: dancers[0]!.token })));
    expect(repeated.map((r) => [r.status, (r.body as { status: string }).status])).toEqual(Array.from({ length: 6 }, () => [200, "active"]));
    await expectExact(group.id, 13);
  });

  it("keeps the count exact when joins and leaves race", async () => {
    const admin = await createUser(t.db);
    const group = await createGroup(t.db, { createdBy: admin.id });
    const dancers = await Promise.all(Array.from({ length: 6 }, () => signedIn(t)));
    for (const { user } of dancers.slice(0, 3)) await addGroupMember(t.db, group.id, user.id);
    await Promise.all(
      dancers.flatMap(({ token }, i) =>
        i < 3
          ? [t.api.post(`/api/groups/${group.id}/leave`, { token }), t.api.post(`/api/groups/${group.id}/join`, { token })]
          : [t.api.post(`/api/groups/${group.id}/join`, { token }), t.api.post(`/api/groups/${group.id}/leave`, { token })],
      ),
    );
    const counts = await groupCounts(t.db, group.id);
    expect(counts.memberCount).toBe(counts.active);
  });

  it("records group_joined_together with each friend already a member, once, and with no one else", async () => {
    const admin = await createUser(t.db);
    const { user: ana, token } = await signedIn(t);
    const [inside, pending, outside, stranger] = await Promise.all(Array.from({ length: 4 }, () => createUser(t.db)));
    const group = await createGroup(t.db, { createdBy: admin.id, type: "interest" });
    await addGroupMember(t.db, group.id, inside!.id);
    await addGroupMember(t.db, group.id, pending!.id, { status: "pending" });
    await addGroupMember(t.db, group.id, stranger!.id);
    const withInside = await befriend(t.db, ana.id, inside!.id);
    const withPending = await befriend(t.db, ana.id, pending!.id);
    const withOutside = await befriend(t.db, ana.id, outside!.id);
    const ids = [withInside, withPending, withOutside].flatMap((f) => [f.forward.id, f.reverse.id]);
    await t.api.post(`/api/groups/${group.id}/join`, { token });
    await t.api.post(`/api/groups/${group.id}/join`, { token });
    const recorded = await togetherActivities(ids);
    expect(recorded).toEqual([expect.objectContaining({ friendshipId: withInside.forward.id })]);
    expect(JSON.parse(recorded[0]!.metadata!)).toEqual({ groupId: group.id });
  });

  it("asks to join a private group: pending, not counted, its admins and moderators notified once per group", async () => {
    const admin = await createUser(t.db);
    const moderator = await createUser(t.db);
    const member = await createUser(t.db);
    const group = await createGroup(t.db, { createdBy: admin.id, type: "private" });
    await addGroupMember(t.db, group.id, moderator.id, { role: "moderator" });
    await addGroupMember(t.db, group.id, member.id);
    const [ana, bruno] = await Promise.all([signedIn(t), signedIn(t)]);
    const res = await t.api.post(`/api/groups/${group.id}/join`, { token: ana.token });
    expect(res.body).toMatchObject({ status: "pending", role: "member" });
    await t.api.post(`/api/groups/${group.id}/join`, { token: ana.token });
    await t.api.post(`/api/groups/${group.id}/join`, { token: bruno.token });
    expect(await groupCounts(t.db, group.id)).toEqual({ memberCount: 3, active: 3, pending: 2 });
    const told = await t.db.select().from(notifications).where(eq(notifications.type, "group_join_request"));
    const mine = told.filter((n) => n.subjectId === group.id);
    expect(mine.map((n) => [n.userId, n.count, n.actorId]).sort()).toEqual(
      [
        [admin.id, 2, bruno.user.id],
        [moderator.id, 2, bruno.user.id],
      ].sort(),
    );
  });

  it("is 404 for a hidden group and 401 without a token", async () => {
    const admin = await createUser(t.db);
    const { token } = await signedIn(t);
    const group = await createGroup(t.db, { createdBy: admin.id, hiddenAt: new Date() });
    expect((await t.api.post(`/api/groups/${group.id}/join`, { token })).status).toBe(404);
    expect((await t.api.post(`/api/groups/${group.id}/join`)).status).toBe(401);
    await expectExact(group.id, 1);
  });
});

describe("POST /api/groups/{id}/leave", () => {
  it("leaves (counted), takes back a pending request (not counted), and is idempotent", async () => {
    const admin = await createUser(t.db);
    const member = await signedIn(t);
    const asker = await signedIn(t);
    const group = await createGroup(t.db, { createdBy: admin.id, type: "private" });
    await addGroupMember(t.db, group.id, member.user.id);
    await addGroupMember(t.db, group.id, asker.user.id, { status: "pending" });
    expect((await t.api.post(`/api/groups/${group.id}/leave`, { token: member.token })).status).toBe(204);
    expect((await t.api.post(`/api/groups/${group.id}/leave`, { token: asker.token })).status).toBe(204);
    expect((await t.api.post(`/api/groups/${group.id}/leave`, { token: member.token })).status).toBe(204);
    expect(await groupCounts(t.db, group.id)).toEqual({ memberCount: 1, active: 1, pending: 0 });
  });

  it("lets a member leave many times at once, counted once", async () => {
    const admin = await createUser(t.db);
    const member = await signedIn(t);
    const group = await createGroup(t.db, { createdBy: admin.id });
    await addGroupMember(t.db, group.id, member.user.id);
    const results = await Promise.all(Array.from({ length: 5 }, () => t.api.post(`/api/groups/${group.id}/leave`, { token: member.token })));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill(204));
    await expectExact(group.id, 1);
  });

  it("refuses the last admin (409 last_admin), lets one of two go", async () => {
    const admin = await signedIn(t);
    const second = await signedIn(t);
    const group = await createGroup(t.db, { createdBy: admin.user.id });
    const res = await t.api.post(`/api/groups/${group.id}/leave`, { token: admin.token });
    expect([res.status, res.body.code]).toEqual([409, "last_admin"]);
    await addGroupMember(t.db, group.id, second.user.id, { role: "admin" });
    expect((await t.api.post(`/api/groups/${group.id}/leave`, { token: admin.token })).status).toBe(204);
    expect((await t.api.post(`/api/groups/${group.id}/leave`, { token: second.token })).status).toBe(409);
    await expectExact(group.id, 1);
  });

  it("never loses the last admin when all admins leave at once", async () => {
    const admins = await Promise.all(Array.from({ length: 4 }, () => signedIn(t)));
    const group = await createGroup(t.db, { createdBy: admins[0]!.user.id });
    for (const { user } of admins.slice(1)) await addGroupMember(t.db, group.id, user.id, { role: "admin" });
    const results = await Promise.all(admins.map(({ token }) => t.api.post(`/api/groups/${group.id}/leave`, { token })));
    expect(results.map((r) => r.status).sort()).toEqual([204, 204, 204, 409]);
    const left = await t.db.select().from(groupMembers).where(eq(groupMembers.groupId, group.id));
    expect(left).toEqual([expect.objectContaining({ role: "admin", status: "active" })]);
    await expectExact(group.id, 1);
  });

  it("is 404 for a hidden group the caller is not in, and lets a member of a hidden group leave", async () => {
    const admin = await createUser(t.db);
    const member = await signedIn(t);
    const stranger = await signedIn(t);
    const group = await createGroup(t.db, { createdBy: admin.id, hiddenAt: new Date() });
    await addGroupMember(t.db, group.id, member.user.id);
    expect((await t.api.post(`/api/groups/${group.id}/leave`, { token: stranger.token })).status).toBe(404);
    expect((await t.api.post(`/api/groups/${group.id}/leave`, { token: member.token })).status).toBe(204);
    await expectExact(group.id, 1);
  });
});

describe("GET /api/groups/{id}/members", () => {
  it("lists active members newest first, every one once across pages, with their role", async () => {
    const admin = await createUser(t.db);
    const group = await createGroup(t.db, { createdBy: admin.id });
    await t.db.update(groupMembers).set({ createdAt: new Date("2026-01-01T10:00:00Z") }).where(eq(groupMembers.groupId, group.id));
    const tie = new Date("2026-02-01T10:00:00.123456Z");
    const times = [new Date("2026-01-15T10:00:00Z"), tie, tie, new Date("2026-03-01T10:00:00Z")];
    const dancers = await Promise.all(times.map(() => createUser(t.db)));
    for (const [i, dancer] of dancers.entries()) {
      await addGroupMember(t.db, group.id, dancer.id, { createdAt: times[i], role: i === 0 ? "moderator" : "member" });
    }
    await addGroupMember(t.db, group.id, (await createUser(t.db)).id, { status: "pending" });
    const pages = await allPages<{ id: number; role: string }>(t.api, `/api/groups/${group.id}/members?limit=2`);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    const [d0, d1, d2, d3] = dancers as [typeof admin, typeof admin, typeof admin, typeof admin];
    const tied = [d1.id, d2.id].sort((a, b) => b - a);
    expect(pages.flatMap((p) => p.items.map((m) => m.id))).toEqual([d3.id, ...tied, d0.id, admin.id]);
    expect(pages.flatMap((p) => p.items).find((m) => m.id === d0.id)!.role).toBe("moderator");
    expect(pages[0]!.items[0]).toEqual({
      id: d3.id,
      username: d3.username,
      name: d3.name,
      profileImage: null,
      role: "member",
      joinedAt: "2026-03-01T10:00:00.000Z",
    });
  });

  it("leaves out suspended accounts and dancers on either side of a block with the viewer", async () => {
    const admin = await createUser(t.db);
    const { user: viewer, token } = await signedIn(t);
    const [shown, suspended, blocked, blocker] = await Promise.all(Array.from({ length: 4 }, () => createUser(t.db)));
    const group = await createGroup(t.db, { createdBy: admin.id });
    for (const dancer of [shown, suspended, blocked, blocker]) await addGroupMember(t.db, group.id, dancer!.id);
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, suspended!.id));
    await t.db.insert(blockedUsers).values([
      { blockerId: viewer.id, blockedId: blocked!.id },
      { blockerId: blocker!.id, blockedId: viewer.id },
    ]);
    const ids = (await allPages(t.api, `/api/groups/${group.id}/members`, token)).flatMap((p) => p.items.map((m) => m.id));
    expect(ids.sort()).toEqual([admin.id, shown!.id].sort());
    expect(await groupCounts(t.db, group.id)).toMatchObject({ memberCount: 5 });
  });

  it("shows a private group's members to its members only (403 not_group_member), a hidden group's to no one (404)", async () => {
    const admin = await signedIn(t);
    const asker = await signedIn(t);
    const group = await createGroup(t.db, { createdBy: admin.user.id, type: "private" });
    await addGroupMember(t.db, group.id, asker.user.id, { status: "pending" });
    expect((await t.api.get(`/api/groups/${group.id}/members`, { token: admin.token })).status).toBe(200);
    for (const token of [asker.token, undefined]) {
      const res = await t.api.get(`/api/groups/${group.id}/members`, { token });
      expect([res.status, res.body.code]).toEqual([403, "not_group_member"]);
    }
    const hidden = await createGroup(t.db, { createdBy: admin.user.id, hiddenAt: new Date() });
    expect((await t.api.get(`/api/groups/${hidden.id}/members`, { token: asker.token })).status).toBe(404);
  });
});

describe("join requests: list, approve, reject", () => {
  async function privateGroup() {
    const admin = await signedIn(t);
    const moderator = await signedIn(t);
    const member = await signedIn(t);
    const group = await createGroup(t.db, { createdBy: admin.user.id, type: "private" });
    await addGroupMember(t.db, group.id, moderator.user.id, { role: "moderator" });
    await addGroupMember(t.db, group.id, member.user.id);
    return { admin, moderator, member, group };
  }

  it("lists requests oldest first for admins and moderators, every one once across pages", async () => {
    const { admin, moderator, group } = await privateGroup();
    const askers = await Promise.all(Array.from({ length: 3 }, () => createUser(t.db)));
    const times = [new Date("2026-03-01T00:00:00Z"), new Date("2026-01-01T00:00:00Z"), new Date("2026-02-01T00:00:00Z")];
    for (const [i, asker] of askers.entries()) await addGroupMember(t.db, group.id, asker.id, { status: "pending", createdAt: times[i] });
    for (const { token } of [admin, moderator]) {
      const pages = await allPages<{ id: number; requestedAt: string }>(t.api, `/api/groups/${group.id}/requests?limit=2`, token);
      expect(pages.flatMap((p) => p.items.map((r) => r.id))).toEqual([askers[1]!.id, askers[2]!.id, askers[0]!.id]);
      expect(pages[0]!.items[0]!.requestedAt).toBe("2026-01-01T00:00:00.000Z");
    }
  });

  it("approves: the dancer becomes an active member, counted, notified, with friends' activity", async () => {
    const { moderator, group } = await privateGroup();
    const asker = await createUser(t.db);
    const friendInside = await createUser(t.db);
    await addGroupMember(t.db, group.id, friendInside.id);
    const friendship = await befriend(t.db, asker.id, friendInside.id);
    await addGroupMember(t.db, group.id, asker.id, { status: "pending" });
    const res = await t.api.post(`/api/groups/${group.id}/requests/${asker.id}/approve`, { token: moderator.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: asker.id, username: asker.username, role: "member", joinedAt: expect.any(String) });
    expect(await membership(group.id, asker.id)).toMatchObject({ status: "active", approvedBy: moderator.user.id });
    await expectExact(group.id, 5);
    const told = await t.db.select().from(notifications).where(and(eq(notifications.userId, asker.id), eq(notifications.type, "group_join_approved")));
    expect(told).toEqual([expect.objectContaining({ subjectId: group.id, actorId: moderator.user.id })]);
    expect(await togetherActivities([friendship.forward.id, friendship.reverse.id])).toHaveLength(1);
    const again = await t.api.post(`/api/groups/${group.id}/requests/${asker.id}/approve`, { token: moderator.token });
    expect([again.status, again.body.id]).toEqual([200, asker.id]);
    await expectExact(group.id, 5);
  });

  it("counts one approval when admins approve the same request at once", async () => {
    const { admin, moderator, group } = await privateGroup();
    const asker = await createUser(t.db);
    await addGroupMember(t.db, group.id, asker.id, { status: "pending" });
    const results = await Promise.all(
      [admin, moderator, admin, moderator].map(({ token }) => t.api.post(`/api/groups/${group.id}/requests/${asker.id}/approve`, { token })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await expectExact(group.id, 4);
    const told = await t.db.select().from(notifications).where(and(eq(notifications.userId, asker.id), eq(notifications.type, "group_join_approved")));
    expect(told.reduce((sum, n) => sum + n.count, 0)).toBe(1);
  });

  it("rejects: the request is gone and the dancer may ask again", async () => {
    const { admin, group } = await privateGroup();
    const asker = await signedIn(t);
    await t.api.post(`/api/groups/${group.id}/join`, { token: asker.token });
    expect((await t.api.post(`/api/groups/${group.id}/requests/${asker.user.id}/reject`, { token: admin.token })).status).toBe(204);
    expect(await membership(group.id, asker.user.id)).toBeUndefined();
    const res = await t.api.post(`/api/groups/${group.id}/requests/${asker.user.id}/reject`, { token: admin.token });
    expect([res.status, res.body.code]).toEqual([404, "not_found"]);
    expect((await t.api.post(`/api/groups/${group.id}/join`, { token: asker.token })).body.status).toBe("pending");
  });

  it("refuses members and strangers (403 not_group_manager), anonymous callers (401), no request (404)", async () => {
    const { admin, member, group } = await privateGroup();
    const stranger = await signedIn(t);
    const asker = await createUser(t.db);
    await addGroupMember(t.db, group.id, asker.id, { status: "pending" });
    for (const { token } of [member, stranger]) {
      for (const res of [
        await t.api.get(`/api/groups/${group.id}/requests`, { token }),
        await t.api.post(`/api/groups/${group.id}/requests/${asker.id}/approve`, { token }),
        await t.api.post(`/api/groups/${group.id}/requests/${asker.id}/reject`, { token }),
      ]) {
        expect([res.status, res.body.code]).toEqual([403, "not_group_manager"]);
      }
    }
    expect((await t.api.post(`/api/groups/${group.id}/requests/${asker.id}/approve`)).status).toBe(401);
    expect((await t.api.post(`/api/groups/${group.id}/requests/${stranger.user.id}/approve`, { token: admin.token })).status).toBe(404);
    expect(await membership(group.id, asker.id)).toMatchObject({ status: "pending" });
  });
});

describe("PATCH /api/groups/{id}/members/{userId}", () => {
  it("lets an admin make a member a moderator, then an admin, and step down once another admin exists", async () => {
    const admin = await signedIn(t);
    const member = await signedIn(t);
    const group = await createGroup(t.db, { createdBy: admin.user.id });
    await addGroupMember(t.db, group.id, member.user.id);
    const path = (id: number) => `/api/groups/${group.id}/members/${id}`;
    const promoted = await t.api.patch(path(member.user.id), { token: admin.token, json: { role: "moderator" } });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ id: member.user.id, role: "moderator" });
    const last = await t.api.patch(path(admin.user.id), { token: admin.token, json: { role: "member" } });
    expect([last.status, last.body.code]).toEqual([409, "last_admin"]);
    expect((await t.api.patch(path(member.user.id), { token: admin.token, json: { role: "admin" } })).status).toBe(200);
    expect((await t.api.patch(path(admin.user.id), { token: admin.token, json: { role: "member" } })).body.role).toBe("member");
    expect(await membership(group.id, admin.user.id)).toMatchObject({ role: "member" });
  });

  it("never loses the last admin when admins demote each other at once", async () => {
    const [a, b] = await Promise.all([signedIn(t), signedIn(t)]);
    const group = await createGroup(t.db, { createdBy: a.user.id });
    await addGroupMember(t.db, group.id, b.user.id, { role: "admin" });
    const results = await Promise.all([
      t.api.patch(`/api/groups/${group.id}/members/${b.user.id}`, { token: a.token, json: { role: "member" } }),
      t.api.patch(`/api/groups/${group.id}/members/${a.user.id}`, { token: b.token, json: { role: "member" } }),
    ]);
    const admins = (await t.db.select().from(groupMembers).where(eq(groupMembers.groupId, group.id))).filter((m) => m.role === "admin");
    expect(admins).toHaveLength(1);
    expect(results.map((r) => r.status).sort()).toEqual([200, 403]);
  });

  it("refuses moderators and members (403 not_group_admin), unknown members (404), pending ones (404), bad roles (400)", async () => {
    const admin = await signedIn(t);
    const moderator = await signedIn(t);
    const asker = await createUser(t.db);
    const group = await createGroup(t.db, { createdBy: admin.user.id, type: "private" });
    await addGroupMember(t.db, group.id, moderator.user.id, { role: "moderator" });
    await addGroupMember(t.db, group.id, asker.id, { status: "pending" });
    const res = await t.api.patch(`/api/groups/${group.id}/members/${admin.user.id}`, { token: moderator.token, json: { role: "member" } });
    expect([res.status, res.body.code]).toEqual([403, "not_group_admin"]);
    expect((await t.api.patch(`/api/groups/${group.id}/members/${asker.id}`, { token: admin.token, json: { role: "admin" } })).status).toBe(404);
    expect((await t.api.patch(`/api/groups/${group.id}/members/2147483647`, { token: admin.token, json: { role: "admin" } })).status).toBe(404);
    expect((await t.api.patch(`/api/groups/${group.id}/members/${asker.id}`, { token: admin.token, json: { role: "owner" } })).status).toBe(400);
    expect((await t.api.patch(`/api/groups/${group.id}/members/${asker.id}`, { json: { role: "admin" } })).status).toBe(401);
    expect(await membership(group.id, admin.user.id)).toMatchObject({ role: "admin" });
  });
});
