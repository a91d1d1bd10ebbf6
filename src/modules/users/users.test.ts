import { beforeAll, describe, expect, it } from "vitest";
import { blockedUsers, userSettings } from "../../../drizzle/schema";
import { signedIn, tokenFor } from "../../../test/auth";
import { befriend, createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";

const t = await useTestDatabase();

const CARD_KEYS = ["id", "name", "profileImage", "restricted", "username", "visibility"];
/** A signed-in viewer's card also says where they stand with the dancer. */
const SIGNED_IN_CARD_KEYS = [...CARD_KEYS, "followsYou", "friendship", "isFollowing"].sort();
const PRIVATE_KEYS = ["email", "mobileNo", "password", "apiToken", "stripeCustomerId", "deviceToken", "lastLoginIp", "role"];

async function withVisibility(profileVisibility: "public" | "friends" | "private") {
  const owner = await createUser(t.db, { bio: "Milonguero since 1998", tangoRoles: ["leader"], languages: ["es", "en"] });
  await t.db.insert(userSettings).values({ userId: owner.id, profileVisibility });
  return owner;
}

describe("GET /api/users/{idOrUsername}: happy paths", () => {
  it("shows a public profile to anyone, with no private field", async () => {
    const ana = await createUser(t.db, { bio: "Tango every night", leaderLevel: 7, tangoRoles: ["both"] });
    const res = await t.api.get(`/api/users/${ana.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: ana.id,
      username: ana.username,
      bio: "Tango every night",
      leaderLevel: 7,
      tangoRoles: ["both"],
      city: "Buenos Aires",
      visibility: "public",
      isFriend: false,
      restricted: false,
    });
    expect(res.body.createdAt).toMatch(/Z$/);
    for (const key of PRIVATE_KEYS) expect(res.body).not.toHaveProperty(key);
  });

  it("finds a user by username whatever its case", async () => {
    const ana = await createUser(t.db);
    const res = await t.api.get(`/api/users/${ana.username.toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(ana.id);
  });

  it("`me` is the caller's own profile", async () => {
    const { user, token } = await signedIn(t);
    const res = await t.api.get("/api/users/me", { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, restricted: false });
  });

  it("shows a friends-only profile whole to an active friend", async () => {
    const owner = await withVisibility("friends");
    const { user: friend, token } = await signedIn(t);
    await befriend(t.db, friend.id, owner.id);
    const res = await t.api.get(`/api/users/${owner.id}`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ restricted: false, isFriend: true, visibility: "friends", bio: "Milonguero since 1998" });
  });

  it("shows owners their own private profile whole", async () => {
    const owner = await withVisibility("private");
    const res = await t.api.get(`/api/users/${owner.id}`, { token: await tokenFor(t, owner) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ restricted: false, visibility: "private", languages: ["es", "en"] });
  });
});

describe("GET /api/users/{idOrUsername}: errors", () => {
  it("is 404 for an unknown id or username", async () => {
    expect((await t.api.get("/api/users/2147483647")).status).toBe(404);
    const res = await t.api.get("/api/users/nobody_dances_here");
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
  });

  it.each([
    ["an id beyond the integer range", "99999999999"],
    ["id 0", "0"],
    ["characters no username has", "ana%20tango"],
    ["a 65-character name", "a".repeat(65)],
  ])("rejects %s with 400 naming the parameter", async (_label, value) => {
    const res = await t.api.get(`/api/users/${value}`);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "path.idOrUsername" })]);
  });

  it("`me` needs a token (401)", async () => {
    expect((await t.api.get("/api/users/me")).status).toBe(401);
  });

  it("is 401 for a forged token, even on a public profile", async () => {
    const ana = await createUser(t.db);
    expect((await t.api.get(`/api/users/${ana.id}`, { token: "not.a.token" })).status).toBe(401);
  });
});

describe("GET /api/users/{idOrUsername}: security", () => {
  let friendsOnly: Awaited<ReturnType<typeof withVisibility>>;
  let privateOwner: Awaited<ReturnType<typeof withVisibility>>;
  let stranger: Awaited<ReturnType<typeof signedIn>>;
  let friend: Awaited<ReturnType<typeof signedIn>>;

  beforeAll(async () => {
    [friendsOnly, privateOwner] = await Promise.all([withVisibility("friends"), withVisibility("private")]);
    stranger = await signedIn(t);
    friend = await signedIn(t);
    await befriend(t.db, friend.user.id, friendsOnly.id);
    await befriend(t.db, friend.user.id, privateOwner.id);
  });

  it.each([
    ["a stranger", () => stranger.token, SIGNED_IN_CARD_KEYS],
    ["an anonymous viewer", () => undefined, CARD_KEYS],
  ])("shows %s only the card of a friends-only profile", async (_label, token, keys) => {
    const res = await t.api.get(`/api/users/${friendsOnly.id}`, { token: token() });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(keys);
    expect(res.body).toMatchObject({ id: friendsOnly.id, restricted: true, visibility: "friends" });
  });

  it("shows even a friend only the card of a private profile", async () => {
    const res = await t.api.get(`/api/users/${privateOwner.id}`, { token: friend.token });
    expect(Object.keys(res.body).sort()).toEqual(SIGNED_IN_CARD_KEYS);
  });

  it("does not count a friendship row that is not active", async () => {
    const owner = await withVisibility("friends");
    const viewer = await signedIn(t);
    await befriend(t.db, viewer.user.id, owner.id, { status: "blocked" });
    const res = await t.api.get(`/api/users/${owner.id}`, { token: viewer.token });
    expect(res.body.restricted).toBe(true);
  });

  it("hides each of two users from the other after a block, either way (404)", async () => {
    const blocker = await signedIn(t);
    const blocked = await signedIn(t);
    await t.db.insert(blockedUsers).values({ blockerId: blocker.user.id, blockedId: blocked.user.id });
    for (const [viewer, other] of [
      [blocker, blocked],
      [blocked, blocker],
    ] as const) {
      const byId = await t.api.get(`/api/users/${other.user.id}`, { token: viewer.token });
      expect(byId.status).toBe(404);
      expect(byId.body.code).toBe("not_found");
      expect((await t.api.get(`/api/users/${other.user.username}`, { token: viewer.token })).status).toBe(404);
    }
    expect((await t.api.get(`/api/users/${blocked.user.id}`, { token: stranger.token })).status).toBe(200);
  });

  it.each([
    ["suspended", { suspended: true }],
    ["deactivated", { isActive: false }],
  ])("answers 404 for a %s account, as if it did not exist", async (_label, status) => {
    const gone = await createUser(t.db, status);
    expect((await t.api.get(`/api/users/${gone.id}`, { token: stranger.token })).status).toBe(404);
    expect((await t.api.get(`/api/users/${gone.username}`)).status).toBe(404);
  });
});

describe("OpenAPI", () => {
  it("documents the profile and settings routes", async () => {
    const { paths } = (await t.api.get("/openapi.json")).body;
    expect(paths["/api/users/{idOrUsername}"].get.security).toEqual([{}, { bearerAuth: [] }]);
    expect(paths["/api/users/me"].patch).toBeDefined();
    expect(Object.keys(paths["/api/users/me/settings"]).sort()).toEqual(["get", "patch"]);
  });
});
