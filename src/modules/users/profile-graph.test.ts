import { describe, expect, it } from "vitest";
import { friendRequests, userSettings } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { befriend, createUser, follow } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";

const t = await useTestDatabase();

describe("GET /api/users/{idOrUsername}: graph counts and the viewer's relation", () => {
  it("counts followers, following and active friends", async () => {
    const owner = await createUser(t.db);
    const others = await Promise.all(Array.from({ length: 5 }, () => createUser(t.db)));
    await Promise.all([
      follow(t.db, others[0]!.id, owner.id),
      follow(t.db, others[1]!.id, owner.id),
      follow(t.db, others[2]!.id, owner.id),
      follow(t.db, owner.id, others[0]!.id),
      follow(t.db, others[3]!.id, others[4]!.id),
    ]);
    await befriend(t.db, owner.id, others[1]!.id);
    await befriend(t.db, owner.id, others[2]!.id, { status: "blocked" });
    await befriend(t.db, others[3]!.id, others[4]!.id);
    const res = await t.api.get(`/api/users/${owner.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ followersCount: 3, followingCount: 1, friendsCount: 1 });
    // An anonymous viewer stands nowhere: no relation fields.
    for (const key of ["isFollowing", "followsYou", "friendship"]) expect(res.body).not.toHaveProperty(key);
  });

  it("says whether the viewer follows the dancer and whether the dancer follows the viewer", async () => {
    const viewer = await signedIn(t);
    const [followed, follower, mutual, none] = await Promise.all([createUser(t.db), createUser(t.db), createUser(t.db), createUser(t.db)]);
    await Promise.all([
      follow(t.db, viewer.user.id, followed.id),
      follow(t.db, follower.id, viewer.user.id),
      follow(t.db, viewer.user.id, mutual.id),
      follow(t.db, mutual.id, viewer.user.id),
    ]);
    const cases: [number, boolean, boolean][] = [
      [followed.id, true, false],
      [follower.id, false, true],
      [mutual.id, true, true],
      [none.id, false, false],
    ];
    for (const [id, isFollowing, followsYou] of cases) {
      const res = await t.api.get(`/api/users/${id}`, { token: viewer.token });
      expect(res.body, `user ${id}`).toMatchObject({ isFollowing, followsYou });
    }
  });

  it("gives the friendship state: none, request_sent, request_received, friends", async () => {
    const viewer = await signedIn(t);
    const [stranger, asked, asking, friend, rejected] = await Promise.all([
      createUser(t.db),
      createUser(t.db),
      createUser(t.db),
      createUser(t.db),
      createUser(t.db),
    ]);
    await t.db.insert(friendRequests).values([
      { senderId: viewer.user.id, receiverId: asked.id },
      { senderId: asking.id, receiverId: viewer.user.id },
      { senderId: viewer.user.id, receiverId: rejected.id, status: "rejected", respondedAt: new Date() },
      { senderId: friend.id, receiverId: viewer.user.id, status: "accepted", respondedAt: new Date() },
    ]);
    await befriend(t.db, viewer.user.id, friend.id);
    const expected: [number, string][] = [
      [stranger.id, "none"],
      [asked.id, "request_sent"],
      [asking.id, "request_received"],
      [friend.id, "friends"],
      [rejected.id, "none"],
    ];
    for (const [id, friendship] of expected) {
      const res = await t.api.get(`/api/users/${id}`, { token: viewer.token });
      expect(res.status).toBe(200);
      expect(res.body.friendship, `user ${id}`).toBe(friendship);
      expect(res.body.isFriend).toBe(friendship === "friends");
    }
    // The other side sees the mirror image.
    const asker = await t.api.get(`/api/users/${viewer.user.id}`, { token: viewer.token });
    expect(asker.body).toMatchObject({ friendship: "none", isFollowing: false, followsYou: false });
  });

  it("shows the relation on a restricted card too, but no counts", async () => {
    const viewer = await signedIn(t);
    const owner = await createUser(t.db);
    await t.db.insert(userSettings).values({ userId: owner.id, profileVisibility: "private" });
    await follow(t.db, viewer.user.id, owner.id);
    await t.db.insert(friendRequests).values({ senderId: viewer.user.id, receiverId: owner.id });
    const res = await t.api.get(`/api/users/${owner.id}`, { token: viewer.token });
    expect(res.body).toMatchObject({ restricted: true, isFollowing: true, followsYou: false, friendship: "request_sent" });
    expect(res.body).not.toHaveProperty("followersCount");
    const anonymous = await t.api.get(`/api/users/${owner.id}`);
    expect(Object.keys(anonymous.body).sort()).toEqual(["id", "name", "profileImage", "restricted", "username", "visibility"]);
  });
});
