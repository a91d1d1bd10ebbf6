import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { useTestDatabase } from "../../../test/harness";

const t = await useTestDatabase();

async function rowOf(id: number) {
  const [row] = await t.db.select().from(users).where(eq(users.id, id));
  return row!;
}

describe("PATCH /api/users/me: happy paths", () => {
  it("changes the profile and tango profile fields given, and answers the private view", async () => {
    const { user, token } = await signedIn(t, { updatedAt: new Date("2020-01-01T00:00:00Z") });
    const edit = {
      name: "  Ana Fernández ",
      bio: "Milonguera",
      profileImage: "https://cdn.example.com/ana.jpg",
      facebookUrl: "http://facebook.com/ana",
      mobileNo: "+5491155550000",
      city: "Rosario",
      countryCode: "ar",
      languages: ["es", "Italiano"],
      tangoRoles: ["follower", "leader"],
      leaderLevel: 3,
      followerLevel: 9,
      yearsOfDancing: 12,
      startedDancingYear: new Date().getUTCFullYear(),
      occupation: "Teacher",
    };
    const res = await t.api.patch("/api/users/me", { token, json: edit });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...edit, id: user.id, email: user.email, name: "Ana Fernández", countryCode: "AR" });
    expect(res.body).not.toHaveProperty("password");

    const row = await rowOf(user.id);
    expect(row).toMatchObject({ name: "Ana Fernández", countryCode: "AR", followerLevel: 9, tangoRoles: ["follower", "leader"] });
    expect(row.updatedAt!.getTime()).toBeGreaterThan(new Date("2020-01-01T00:00:00Z").getTime());
    expect(row.country).toBe(user.country);
  });

  it("clears optional fields given as null", async () => {
    const { user, token } = await signedIn(t, { bio: "old bio", occupation: "DJ" });
    const res = await t.api.patch("/api/users/me", { token, json: { bio: null, occupation: null } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ bio: null, occupation: null });
    expect(await rowOf(user.id)).toMatchObject({ bio: null, occupation: null, name: user.name });
  });
});

describe("PATCH /api/users/me: errors", () => {
  it("refuses an empty body (400)", async () => {
    const { token } = await signedIn(t);
    const res = await t.api.patch("/api/users/me", { token, json: {} });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("validation_failed");
  });

  it.each([
    ["an empty name", { name: "   " }, "body.name"],
    ["a 101-character name", { name: "x".repeat(101) }, "body.name"],
    ["a null name", { name: null }, "body.name"],
    ["a bio over 2000 characters", { bio: "x".repeat(2001) }, "body.bio"],
    ["a javascript: URL", { profileImage: "javascript:alert(1)" }, "body.profileImage"],
    ["an ftp URL", { backgroundImage: "ftp://example.com/a.jpg" }, "body.backgroundImage"],
    ["11 languages", { languages: Array.from({ length: 11 }, (_, i) => `lang${i}`) }, "body.languages"],
    ["a one-letter language", { languages: ["e"] }, "body.languages.0"],
    ["duplicate languages", { languages: ["es", "es"] }, "body.languages"],
    ["an unknown tango role", { tangoRoles: ["dj"] }, "body.tangoRoles.0"],
    ["a level above 10", { leaderLevel: 11 }, "body.leaderLevel"],
    ["a fractional level", { followerLevel: 2.5 }, "body.followerLevel"],
    ["a level given as text", { followerLevel: "5" }, "body.followerLevel"],
    ["81 years of dancing", { yearsOfDancing: 81 }, "body.yearsOfDancing"],
    ["a start year in the future", { startedDancingYear: new Date().getUTCFullYear() + 1 }, "body.startedDancingYear"],
    ["a start year before 1900", { startedDancingYear: 1899 }, "body.startedDancingYear"],
    ["a three-letter country code", { countryCode: "ARG" }, "body.countryCode"],
    ["a phone number without +", { mobileNo: "1155550000" }, "body.mobileNo"],
    ["a 101-character city", { city: "x".repeat(101) }, "body.city"],
    ["an email change", { email: "new@example.com" }, ""],
    ["a role change", { role: "god" }, ""],
    ["a username change", { username: "someone_else" }, ""],
  ])("rejects %s with 400 naming the field", async (_label, json, path) => {
    const { user, token } = await signedIn(t);
    const res = await t.api.patch("/api/users/me", { token, json });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path || "body");
    const row = await rowOf(user.id);
    expect(row).toMatchObject({ email: user.email, role: "user", username: user.username, name: user.name });
  });

  it("refuses malformed JSON (400) and other content types (415)", async () => {
    const { token } = await signedIn(t);
    const malformed = await t.api.patch("/api/users/me", { token, body: "{", headers: { "content-type": "application/json" } });
    expect(malformed.status).toBe(400);
    const form = await t.api.patch("/api/users/me", { token, body: "name=x", headers: { "content-type": "text/plain" } });
    expect(form.status).toBe(415);
  });
});

describe("PATCH /api/users/me: security", () => {
  it("is 401 without a token", async () => {
    const res = await t.api.patch("/api/users/me", { json: { name: "Nobody" } });
    expect(res.status).toBe(401);
  });

  it("only ever changes the caller's own account", async () => {
    const ana = await signedIn(t);
    const bruno = await signedIn(t);
    const res = await t.api.patch("/api/users/me", { token: bruno.token, json: { bio: "Bruno's bio", id: ana.user.id } });
    expect(res.status).toBe(400);
    await t.api.patch("/api/users/me", { token: bruno.token, json: { bio: "Bruno's bio" } });
    expect((await rowOf(ana.user.id)).bio).toBeNull();
    expect((await rowOf(bruno.user.id)).bio).toBe("Bruno's bio");
  });
});
