import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { friendshipActivities, groupMembers, groups, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { addGroupMember, befriend, groupCounts, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";

const t = await useTestDatabase();

/** The city community of a key, if there is one. */
async function community(key: string) {
  const [row] = await t.db.select().from(groups).where(and(eq(groups.type, "city"), eq(groups.cityKey, key)));
  return row;
}

/** The city communities a dancer is in, by key. */
async function communitiesOf(userId: number) {
  const rows = await t.db
    .select({ key: groups.cityKey })
    .from(groupMembers)
    .innerJoin(groups, eq(groups.id, groupMembers.groupId))
    .where(and(eq(groupMembers.userId, userId), eq(groups.type, "city")));
  return rows.map((row) => row.key).sort();
}

const setCity = (token: string, city: string | null) => t.api.patch("/api/users/me", { token, json: { city } });

describe("city communities: PATCH /api/users/me", () => {
  it("makes the city's community on first use and joins the dancer to it, counted", async () => {
    const { user, token } = await signedIn(t, { city: null });
    const city = `São ${unique("Paulo")}`;
    const key = city.toLowerCase().replace("ã", "a");
    const res = await setCity(token, city);
    expect([res.status, res.body.city]).toEqual([200, city]);
    const made = await community(key);
    expect(made).toMatchObject({ type: "city", name: city, city, createdBy: null, memberCount: 1 });
    expect(made!.slug).toMatch(new RegExp(`^sao-paulo\\d.*-${made!.id}$`));
    expect(await communitiesOf(user.id)).toEqual([key]);
    const listed = await t.api.get(`/api/groups?type=city&city=${encodeURIComponent(key.toUpperCase())}`, { token });
    expect(listed.body.items).toEqual([expect.objectContaining({ id: made!.id, memberCount: 1, membership: { status: "active", role: "member" } })]);
  });

  it("puts dancers of one city in one community, however they spell it", async () => {
    const city = unique("Curitiba");
    const [a, b, c] = await Promise.all([signedIn(t, { city: null }), signedIn(t, { city: null }), signedIn(t, { city: null })]);
    await setCity(a.token, city);
    await setCity(b.token, `  ${city.toUpperCase()}  `);
    await setCity(c.token, city.replace("i", "í"));
    const made = await community(city.toLowerCase());
    expect(await groupCounts(t.db, made!.id)).toEqual({ memberCount: 3, active: 3, pending: 0 });
    expect(await t.db.select().from(groups).where(eq(groups.name, city))).toHaveLength(1);
  });

  it("moves the dancer when the city changes, leaves when it is cleared, and keeps both counts exact", async () => {
    const { user, token } = await signedIn(t, { city: null });
    const [from, to] = [unique("Rosario"), unique("Mendoza")];
    const neighbour = await signedIn(t, { city: null });
    await setCity(neighbour.token, from);
    await setCity(token, from);
    await setCity(token, to);
    const [old, fresh] = [await community(from.toLowerCase()), await community(to.toLowerCase())];
    expect(await communitiesOf(user.id)).toEqual([to.toLowerCase()]);
    expect(await groupCounts(t.db, old!.id)).toMatchObject({ memberCount: 1, active: 1 });
    expect(await groupCounts(t.db, fresh!.id)).toMatchObject({ memberCount: 1, active: 1 });
    await setCity(token, null);
    expect(await communitiesOf(user.id)).toEqual([]);
    expect(await groupCounts(t.db, fresh!.id)).toMatchObject({ memberCount: 0, active: 0 });
  });

  it("moves nothing when the city stays the same, nor on an edit without a city", async () => {
    const { user, token } = await signedIn(t, { city: null });
    const city = unique("Tucuman");
    await setCity(token, city);
    const made = await community(city.toLowerCase());
    await t.api.post(`/api/groups/${made!.id}/leave`, { token });
    await setCity(token, `${city} `);
    await t.api.patch("/api/users/me", { token, json: { bio: "Milonguera" } });
    expect(await communitiesOf(user.id)).toEqual([]);
    expect(await groupCounts(t.db, made!.id)).toMatchObject({ memberCount: 0 });
    const [row] = await t.db.select({ city: users.city, bio: users.bio }).from(users).where(eq(users.id, user.id));
    expect(row).toEqual({ city: `${city} `.trim(), bio: "Milonguera" });
  });

  it("leaves a community the dancer joined by hand for another city as it is", async () => {
    const { user, token } = await signedIn(t, { city: null });
    const [home, visited, next] = [unique("Salta"), unique("Jujuy"), unique("Neuquen")];
    const other = await signedIn(t, { city: null });
    await setCity(other.token, visited);
    await setCity(token, home);
    await t.api.post(`/api/groups/${(await community(visited.toLowerCase()))!.id}/join`, { token });
    await setCity(token, next);
    expect(await communitiesOf(user.id)).toEqual([visited.toLowerCase(), next.toLowerCase()].sort());
  });

  it("records group_joined_together with friends already in the new city's community", async () => {
    const { user, token } = await signedIn(t, { city: null });
    const friend = await signedIn(t, { city: null });
    const city = unique("Bariloche");
    await setCity(friend.token, city);
    const { forward, reverse } = await befriend(t.db, user.id, friend.user.id);
    await setCity(token, city);
    const rows = await t.db
      .select()
      .from(friendshipActivities)
      .where(and(inArray(friendshipActivities.friendshipId, [forward.id, reverse.id]), eq(friendshipActivities.activityType, "group_joined_together")));
    expect(rows).toEqual([expect.objectContaining({ friendshipId: forward.id })]);
  });

  it("makes one community and counts every dancer when many set a new city at once", async () => {
    const city = unique("Ushuaia");
    const dancers = await Promise.all(Array.from({ length: 10 }, () => signedIn(t, { city: null })));
    const results = await Promise.all(dancers.map(({ token }, i) => setCity(token, i % 2 ? city : city.toUpperCase())));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    const rows = await t.db.select().from(groups).where(and(eq(groups.type, "city"), eq(groups.cityKey, city.toLowerCase())));
    expect(rows).toHaveLength(1);
    expect(await groupCounts(t.db, rows[0]!.id)).toEqual({ memberCount: 10, active: 10, pending: 0 });
  });

  it("leaves the dancer in exactly the community of the city they end with when their edits race", async () => {
    const { user, token } = await signedIn(t, { city: null });
    const cities = [unique("Lima"), unique("Quito"), unique("Cusco"), unique("Arequipa")];
    const results = await Promise.all(cities.flatMap((city) => [setCity(token, city), setCity(token, city)]));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    const [row] = await t.db.select({ city: users.city }).from(users).where(eq(users.id, user.id));
    expect(await communitiesOf(user.id)).toEqual([row!.city!.toLowerCase()]);
    for (const city of cities) {
      const made = await community(city.toLowerCase());
      const counts = await groupCounts(t.db, made!.id);
      expect(counts.memberCount).toBe(counts.active);
    }
  });

  it("keeps counts exact when dancers swap cities at once", async () => {
    const [from, to] = [unique("Asuncion"), unique("Montevideo")];
    const left = await Promise.all(Array.from({ length: 4 }, () => signedIn(t, { city: null })));
    const right = await Promise.all(Array.from({ length: 4 }, () => signedIn(t, { city: null })));
    for (const { token } of left) await setCity(token, from);
    for (const { token } of right) await setCity(token, to);
    await Promise.all([...left.map(({ token }) => setCity(token, to)), ...right.map(({ token }) => setCity(token, from))]);
    for (const city of [from, to]) {
      expect(await groupCounts(t.db, (await community(city.toLowerCase()))!.id)).toEqual({ memberCount: 4, active: 4, pending: 0 });
    }
  });

  it("answers a manual leave of the city community like any group's", async () => {
    const { user, token } = await signedIn(t, { city: null });
    const city = unique("Cordoba");
    await setCity(token, city);
    const made = await community(city.toLowerCase());
    await addGroupMember(t.db, made!.id, (await signedIn(t)).user.id);
    expect((await t.api.post(`/api/groups/${made!.id}/leave`, { token })).status).toBe(204);
    expect(await groupCounts(t.db, made!.id)).toMatchObject({ memberCount: 1, active: 1 });
    expect(await communitiesOf(user.id)).toEqual([]);
  });
});
