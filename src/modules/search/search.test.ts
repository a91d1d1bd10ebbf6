import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, users } from "../../../drizzle/schema";
import { postVisibilityWorld, signedIn } from "../../../test/auth";
import { createPost, createUser, unique } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { type ListPage, allPages as pagesOf } from "../../../test/pages";
import { encodeCursor } from "../../lib/pagination";
import { POST_SEARCH_WINDOW } from "./search.service";

const t = await useTestDatabase();

/** A word no other post in this file contains (letters only: it must stay one lexeme). */
const word = () => `ocho${unique("").replace(/[0-9]/g, (d) => "abcdefghij"[Number(d)]!)}`;

type Page = ListPage<{ id: number; name?: string }>;

const allPages = (query: string, token?: string) => pagesOf<{ id: number; name?: string }>(t.api, `/api/search?${query}`, token);

const ids = (pages: Page[]) => pages.flatMap((p) => p.items.map((i) => i.id));

async function planOf(statement: ReturnType<typeof sql>) {
  const [, result] = await t.db.batch([t.db.execute(sql`SET LOCAL enable_seqscan = off`), t.db.execute(sql`EXPLAIN (FORMAT TEXT) ${statement}`)]);
  return (result.rows as { "QUERY PLAN": string }[]).map((r) => r["QUERY PLAN"]).join("\n");
}

describe("GET /api/search?type=posts", () => {
  it("finds only what each viewer may see: author, friend, follower, stranger, blocked either way, anonymous", async () => {
    const w = word();
    const world = await postVisibilityWorld(t, { content: `Esta noche ${w} en Canning` });
    for (const viewer of world.viewers) {
      const res = await t.api.get(`/api/search?q=${w}&type=posts`, { token: viewer.token });
      expect(res.status, viewer.label).toBe(200);
      expect(res.body.type).toBe("posts");
      expect(res.body.items.map((p: { id: number }) => p.id).sort((a: number, b: number) => a - b), viewer.label).toEqual(viewer.sees);
    }
  });

  it("searches posts by default, ignoring accents and case, in any script, with web-search syntax", async () => {
    const author = await createUser(t.db);
    const w = word();
    const accented = await createPost(t.db, { userId: author.id, content: `Milongá ${w} en el CAFÉ` });
    const cyrillic = await createPost(t.db, { userId: author.id, content: `Танго ${w} сегодня` });
    const plain = await createPost(t.db, { userId: author.id, content: "Nada que ver", plainText: `practica ${w} cafe` });
    const found = async (q: string) => ids(await allPages(`q=${encodeURIComponent(q)}`)).sort((a, b) => a - b);
    expect(await found(`milonga ${w.toUpperCase()}`)).toEqual([accented.id]);
    expect(await found(`cafe ${w}`)).toEqual([accented.id, plain.id]);
    expect(await found(`танго ${w}`)).toEqual([cyrillic.id]);
    expect(await found(`${w} -cafe`)).toEqual([cyrillic.id]);
    expect(await found(`"${w} cafe"`)).toEqual([plain.id]);
    expect(await found(`${w} or nothing`)).toEqual([accented.id, cyrillic.id, plain.id]);
  });

  it("ranks the best match first, equal ranks newest first, every post once across pages", async () => {
    const author = await createUser(t.db);
    const w = word();
    const long = await createPost(t.db, { userId: author.id, content: `${w} ${"y la orquesta siguió tocando toda la noche ".repeat(8)}` });
    const equal = [];
    for (let i = 0; i < 4; i++) equal.push(await createPost(t.db, { userId: author.id, content: `${w} milonga` }));
    const best = await createPost(t.db, { userId: author.id, content: `${w} ${w} ${w}` });
    const paged = ids(await allPages(`q=${w}&limit=2`));
    expect(paged).toEqual([best.id, ...equal.map((p) => p.id).reverse(), long.id]);
    expect(ids(await allPages(`q=${w}&limit=100`))).toEqual(paged);
  });

  it("answers a query of punctuation only with an empty page", async () => {
    for (const q of ["!!!", "-", "\"", "@#$%", "()", "'", "&|!:*"]) {
      for (const type of ["posts", "users"]) {
        const res = await t.api.get(`/api/search?q=${encodeURIComponent(q)}&type=${type}`);
        expect(res.status, `${q} ${type}`).toBe(200);
        expect(res.body, `${q} ${type}`).toEqual({ type, items: [], nextCursor: null });
      }
    }
  });

  it("survives queries that are odd for tsquery", async () => {
    for (const q of ["a & b", "tango:*", "!tango", "or", "-", "\"unclosed", "tango <-> vals", "\\", "ñ"]) {
      const res = await t.api.get(`/api/search?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
    }
  });

  it("ranks only the newest matches: a better match older than the window is not found, and every page comes from the window", async () => {
    const author = await createUser(t.db);
    const w = word();
    const older = await createPost(t.db, { userId: author.id, content: `${w} ${w} ${w}` });
    await t.db.execute(sql`
      INSERT INTO posts (user_id, content)
      SELECT ${author.id}, ${w} || ' milonga ' || i FROM generate_series(1, ${POST_SEARCH_WINDOW}) i`);
    const found = ids(await allPages(`q=${w}&limit=50`));
    expect(found).toHaveLength(POST_SEARCH_WINDOW);
    expect(new Set(found).size).toBe(POST_SEARCH_WINDOW);
    expect(found).not.toContain(older.id);
    expect(Math.min(...found)).toBeGreaterThan(older.id);
    // Alone in the window again (the newer ones no longer match), the better match comes back first.
    await t.db.execute(sql`UPDATE posts SET content = 'ya no' WHERE user_id = ${author.id} AND id <> ${older.id}`);
    expect(ids(await allPages(`q=${w}`))).toEqual([older.id]);
  });

  it("finds a rare word through the GIN index posts_search_idx, and walks posts newest first for a common one", async () => {
    const author = await createUser(t.db);
    const common = word();
    await t.db.execute(sql`
      INSERT INTO posts (user_id, content) SELECT ${author.id}, ${common} || ' ' || i FROM generate_series(1, 5000) i`);
    await t.db.execute(sql`ANALYZE posts`);
    const window = (q: string) => sql`
      SELECT p.id FROM posts p WHERE p.search_vector @@ websearch_to_tsquery('simple', mt_unaccent(${q}))
      ORDER BY p.id DESC LIMIT ${POST_SEARCH_WINDOW}`;
    // Without sequential scans, as on a table this size in production (the test's table is small).
    expect(await planOf(window(word()))).toContain("posts_search_idx");
    expect(await planOf(window(common))).toMatch(/Index Scan Backward using posts_pkey/);
  });

  it("finds matches through the GIN index posts_search_idx", async () => {
    const plan = await planOf(sql`SELECT p.id FROM websearch_to_tsquery('simple', mt_unaccent('milonga')) query JOIN posts p ON p.search_vector @@ query`);
    expect(plan).toContain("posts_search_idx");
  });
});

describe("GET /api/search?type=users", () => {
  it("finds dancers by name or username, best match first, without blocked or unusable accounts", async () => {
    const { user: me, token } = await signedIn(t);
    const stem = word();
    const exact = await createUser(t.db, { name: `Griselda ${stem}` });
    const byUsername = await createUser(t.db, { username: `${stem}_milonguera` });
    const blocker = await createUser(t.db, { name: `Griselda ${stem}` });
    const blocked = await createUser(t.db, { name: `Griselda ${stem}` });
    const suspended = await createUser(t.db, { name: `Griselda ${stem}`, suspended: true });
    const inactive = await createUser(t.db, { name: `Griselda ${stem}`, isActive: false });
    await createUser(t.db, { name: "Someone Else" });
    await t.db.insert(blockedUsers).values([
      { blockerId: blocker.id, blockedId: me.id },
      { blockerId: me.id, blockedId: blocked.id },
    ]);
    const found = ids(await allPages(`q=${stem}&type=users`, token));
    expect(found.sort((a, b) => a - b)).toEqual([exact.id, byUsername.id]);
    const anonymous = ids(await allPages(`q=${stem}&type=users`)).sort((a, b) => a - b);
    expect(anonymous).toEqual([exact.id, byUsername.id, blocker.id, blocked.id].sort((a, b) => a - b));
    expect(anonymous).not.toContain(suspended.id);
    expect(anonymous).not.toContain(inactive.id);

    const [card] = (await t.api.get(`/api/search?q=${encodeURIComponent(`Griselda ${stem}`)}&type=users`, { token })).body.items;
    expect(card).toEqual({ id: exact.id, username: exact.username, name: exact.name, profileImage: null });
  });

  it("matches a partial, differently cased name", async () => {
    const stem = word();
    const dancer = await createUser(t.db, { name: `Carlos ${stem}` });
    expect(ids(await allPages(`q=${encodeURIComponent(stem.slice(0, -1).toUpperCase())}&type=users`))).toEqual([dancer.id]);
  });

  it("pages by rank, every dancer once, equal ranks by id (highest first)", async () => {
    const stem = word();
    const same = [];
    for (let i = 0; i < 5; i++) same.push(await createUser(t.db, { name: `Pugliese ${stem}` }));
    const best = await createUser(t.db, { name: stem, username: stem });
    const pages = await allPages(`q=${stem}&type=users&limit=2`);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 2]);
    expect(ids(pages)).toEqual([best.id, ...same.map((u) => u.id).reverse()]);
  });

  it("finds candidates through the trigram indexes on name and username", async () => {
    const plan = await planOf(sql`SELECT u.id FROM users u WHERE u.name %> 'griselda' OR u.username %> 'griselda'`);
    expect(plan).toContain("users_name_trgm_idx");
    expect(plan).toContain("users_username_trgm_idx");
  });

  it("leaves out a dancer once suspended", async () => {
    const stem = word();
    const dancer = await createUser(t.db, { name: `Troilo ${stem}` });
    expect(ids(await allPages(`q=${stem}&type=users`))).toEqual([dancer.id]);
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, dancer.id));
    expect(ids(await allPages(`q=${stem}&type=users`))).toEqual([]);
  });
});

describe("GET /api/search: input", () => {
  it.each([
    ["no q", ""],
    ["an empty q", "q="],
    ["a blank q", "q=%20%20"],
    ["a q over 200 characters", `q=${"a".repeat(201)}`],
    ["a q on two lines", "q=tango%0Avals"],
    ["a q with a NUL", "q=tan%00go"],
    ["an unknown type", "q=tango&type=venues"],
    ["several types", "q=tango&type=users,posts"],
  ])("refuses %s with 400", async (_label, query) => {
    const res = await t.api.get(`/api/search?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.errors.length).toBeGreaterThan(0);
  });

  it("takes a q of 200 characters, trimmed", async () => {
    expect((await t.api.get(`/api/search?q=${"a".repeat(200)}`)).status).toBe(200);
    expect((await t.api.get(`/api/search?q=%20${"a".repeat(200)}%20`)).status).toBe(200);
  });

  it.each([
    ["not ours", "nope"],
    ["a rank as a float", encodeCursor([0.5, 3])],
    ["a rank that is not a number", encodeCursor(["high", 3])],
    ["an id out of range", encodeCursor(["0.5", 1e12])],
    ["a missing id", encodeCursor(["0.5"])],
  ])("refuses a cursor %s with 400 for either type", async (_label, cursor) => {
    for (const type of ["posts", "users"]) {
      const res = await t.api.get(`/api/search?q=tango&type=${type}&cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, type).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: "query.cursor" })]);
    }
  });
});
