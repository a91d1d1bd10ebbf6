import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { userSettings } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { testCtx, useTestDatabase } from "../../../test/harness";
import { getSettings } from ".";

const t = await useTestDatabase();

const DEFAULTS = {
  profileVisibility: "public",
  messagePermission: "everyone",
  notificationPreferences: {},
  emailPreferences: {},
  updatedAt: null,
};

/** `count` valid notification types (a-z and '_' only), distinct per prefix. */
function preferences(prefix: string, count: number) {
  const name = (i: number) => `${prefix}_${String.fromCharCode(97 + Math.floor(i / 26))}${String.fromCharCode(97 + (i % 26))}`;
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [name(i), { email: true }]));
}

async function settingsRow(userId: number) {
  const [row] = await t.db.select().from(userSettings).where(eq(userSettings.userId, userId));
  return row;
}

describe("/api/users/me/settings: happy paths", () => {
  it("answers the defaults, without writing a row, for a user who never changed any", async () => {
    const { user, token } = await signedIn(t);
    const res = await t.api.get("/api/users/me/settings", { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(DEFAULTS);
    expect(await settingsRow(user.id)).toBeUndefined();
    expect(await getSettings(testCtx(t), { userId: user.id })).toEqual(DEFAULTS);
  });

  it("creates the row on the first change and keeps what is not given", async () => {
    const { user, token } = await signedIn(t);
    const res = await t.api.patch("/api/users/me/settings", { token, json: { profileVisibility: "friends" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...DEFAULTS, profileVisibility: "friends", updatedAt: expect.stringMatching(/Z$/) });
    const next = await t.api.patch("/api/users/me/settings", { token, json: { messagePermission: "nobody" } });
    expect(next.body).toMatchObject({ profileVisibility: "friends", messagePermission: "nobody" });
    expect(await settingsRow(user.id)).toMatchObject({ profileVisibility: "friends", messagePermission: "nobody" });
  });

  it("merges preferences per notification type and per channel", async () => {
    const { token } = await signedIn(t);
    await t.api.patch("/api/users/me/settings", {
      token,
      json: {
        notificationPreferences: { post_liked: { inApp: true, email: true }, new_follower: { email: false } },
        emailPreferences: { digest: "weekly", marketing: false },
      },
    });
    const res = await t.api.patch("/api/users/me/settings", {
      token,
      json: {
        notificationPreferences: { post_liked: { email: false }, event_reminder: { inApp: false } },
        emailPreferences: { marketing: true },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.notificationPreferences).toEqual({
      post_liked: { inApp: true, email: false },
      new_follower: { email: false },
      event_reminder: { inApp: false },
    });
    expect(res.body.emailPreferences).toEqual({ digest: "weekly", marketing: true });
    expect((await t.api.get("/api/users/me/settings", { token })).body).toEqual(res.body);
  });

  it("loses no preference when changes race", async () => {
    const { token } = await signedIn(t);
    const types = Object.keys(preferences("race", 8));
    const results = await Promise.all(
      types.map((type) => t.api.patch("/api/users/me/settings", { token, json: { notificationPreferences: { [type]: { email: false } } } })),
    );
    expect(results.map((r) => r.status)).toEqual(types.map(() => 200));
    const res = await t.api.get("/api/users/me/settings", { token });
    expect(Object.keys(res.body.notificationPreferences).sort()).toEqual(types.sort());
  });

  it("the visibility chosen here is the one profiles obey", async () => {
    const owner = await signedIn(t);
    const viewer = await signedIn(t);
    await t.api.patch("/api/users/me/settings", { token: owner.token, json: { profileVisibility: "private" } });
    const res = await t.api.get(`/api/users/${owner.user.id}`, { token: viewer.token });
    expect(res.body).toMatchObject({ restricted: true, visibility: "private" });
  });
});

describe("/api/users/me/settings: errors", () => {
  it.each([
    ["an empty body", {}, "body"],
    ["an unknown setting", { theme: "dark" }, "body"],
    ["an unknown visibility", { profileVisibility: "everyone" }, "body.profileVisibility"],
    ["an unknown message permission", { messagePermission: "friends_of_friends" }, "body.messagePermission"],
    ["a notification type with capitals", { notificationPreferences: { PostLiked: { inApp: true } } }, "body.notificationPreferences.PostLiked"],
    ["an unknown channel", { notificationPreferences: { post_liked: { push: true } } }, "body.notificationPreferences.post_liked"],
    ["a channel that is not a boolean", { notificationPreferences: { post_liked: { email: "no" } } }, "body.notificationPreferences.post_liked.email"],
    ["51 notification types", { notificationPreferences: preferences("many", 51) }, "body.notificationPreferences"],
    ["an unknown digest", { emailPreferences: { digest: "hourly" } }, "body.emailPreferences.digest"],
    ["an unknown email preference", { emailPreferences: { newsletter: true } }, "body.emailPreferences"],
  ])("rejects %s with 400 naming the field", async (_label, json, path) => {
    const { user, token } = await signedIn(t);
    const res = await t.api.patch("/api/users/me/settings", { token, json });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await settingsRow(user.id)).toBeUndefined();
  });

  it("caps the notification types at 50 in all, across changes, changing nothing when over", async () => {
    const { user, token } = await signedIn(t);
    expect((await t.api.patch("/api/users/me/settings", { token, json: { notificationPreferences: preferences("first", 30) } })).status).toBe(200);
    const res = await t.api.patch("/api/users/me/settings", {
      token,
      json: { profileVisibility: "private", notificationPreferences: preferences("second", 30) },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("too_many_notification_types");
    const row = await settingsRow(user.id);
    expect(Object.keys(row!.notificationPreferences as object)).toHaveLength(30);
    expect(row!.profileVisibility).toBe("public");
  });
});

describe("/api/users/me/settings: security", () => {
  it("is 401 without a token, for reading and for changing", async () => {
    expect((await t.api.get("/api/users/me/settings")).status).toBe(401);
    expect((await t.api.patch("/api/users/me/settings", { json: { profileVisibility: "private" } })).status).toBe(401);
  });

  it("never lets one user read or change another's settings", async () => {
    const ana = await signedIn(t);
    const bruno = await signedIn(t);
    await t.api.patch("/api/users/me/settings", { token: ana.token, json: { messagePermission: "friends" } });
    const asBruno = await t.api.patch("/api/users/me/settings", { token: bruno.token, json: { messagePermission: "nobody" } });
    expect(asBruno.body.messagePermission).toBe("nobody");
    expect((await t.api.get("/api/users/me/settings", { token: ana.token })).body.messagePermission).toBe("friends");
    const withUserId = await t.api.patch("/api/users/me/settings", { token: bruno.token, json: { userId: ana.user.id, messagePermission: "nobody" } });
    expect(withUserId.status).toBe(400);
    expect((await settingsRow(ana.user.id))!.messagePermission).toBe("friends");
  });
});
