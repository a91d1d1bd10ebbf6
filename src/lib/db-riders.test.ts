import { neonConfig } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createUser } from "../../test/factories";
import { useTestDatabase } from "../../test/harness";
import { pgError, PG } from "./db";
import { type Rider, withRider } from "./db-riders";

const t = await useTestDatabase();

const MARK = "/* test:marked */";

/** The bodies of the Neon HTTP requests made while `work` runs. */
async function requests<T>(work: () => Promise<T>): Promise<{ result: T; bodies: { query?: string; queries?: { query: string }[] }[] }> {
  const original = neonConfig.fetchFunction as typeof fetch | undefined;
  const bodies: { query?: string; queries?: { query: string }[] }[] = [];
  neonConfig.fetchFunction = (input: RequestInfo | URL, init?: RequestInit) => {
    bodies.push(JSON.parse(typeof init?.body === "string" ? init.body : "{}"));
    return (original ?? fetch)(input, init);
  };
  try {
    return { result: await work(), bodies };
  } finally {
    neonConfig.fetchFunction = original;
  }
}

/** A rider that reads the users this transaction renamed (their `name` is the transaction's clock). */
function renamedRider(collected: Record<string, unknown>[][]): Rider {
  return {
    marker: MARK,
    query: sql`SELECT id FROM users WHERE name = now()::text ORDER BY id`,
    collect: (rows) => collected.push(rows),
  };
}

const rename = (id: number) => sql`UPDATE users SET name = now()::text WHERE id = ${id} ${sql.raw(MARK)} RETURNING id`;

describe("withRider", () => {
  it("runs a marked statement and its rider in one request and transaction, answering the statement's own rows", async () => {
    const user = await createUser(t.db);
    const collected: Record<string, unknown>[][] = [];
    const { result, bodies } = await requests(() => withRider(renamedRider(collected), async () => await t.db.execute(rename(user.id))));
    expect(result.rows).toEqual([{ id: user.id }]);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.queries).toHaveLength(2);
    // The rider saw the statement's write, at the statement's clock.
    expect(collected).toEqual([[{ id: user.id }]]);
  });

  it("appends the rider to a batch holding a marked statement, and leaves the batch's results as they were", async () => {
    const [a, b] = await Promise.all([createUser(t.db), createUser(t.db)]);
    const collected: Record<string, unknown>[][] = [];
    const { result, bodies } = await requests(() =>
      withRider(renamedRider(collected), async () => await t.db.batch([t.db.execute(sql`SELECT 1 AS one`), t.db.execute(rename(a.id)), t.db.execute(rename(b.id))])),
    );
    expect(result.map((r) => r.rows)).toEqual([[{ one: 1 }], [{ id: a.id }], [{ id: b.id }]]);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.queries).toHaveLength(4);
    expect(collected).toEqual([[{ id: a.id }, { id: b.id }]]);
  });

  it("changes nothing for unmarked statements, nor outside a scope", async () => {
    const user = await createUser(t.db);
    const collected: Record<string, unknown>[][] = [];
    const inScope = await requests(() => withRider(renamedRider(collected), async () => await t.db.execute(sql`SELECT id FROM users WHERE id = ${user.id}`)));
    expect(inScope.bodies).toEqual([expect.objectContaining({ query: expect.any(String) })]);
    expect(inScope.bodies[0]!.queries).toBeUndefined();
    const outside = await requests(() => t.db.execute(rename(user.id)));
    expect(outside.result.rows).toEqual([{ id: user.id }]);
    expect(outside.bodies[0]!.queries).toBeUndefined();
    expect(collected).toEqual([]);
  });

  it("lets a marked statement's error through as it was, with nothing collected and nothing written", async () => {
    const [a, b] = await Promise.all([createUser(t.db), createUser(t.db)]);
    const collected: Record<string, unknown>[][] = [];
    const failing = sql`UPDATE users SET username = ${b.username}, name = now()::text WHERE id = ${a.id} ${sql.raw(MARK)}`;
    const error = await withRider(renamedRider(collected), async () => await t.db.execute(failing)).catch((e: unknown) => e);
    expect(pgError(error)?.code).toBe(PG.uniqueViolation);
    expect(collected).toEqual([]);
    const { rows } = await t.db.execute(sql`SELECT username FROM users WHERE id = ${a.id}`);
    expect(rows).toEqual([{ username: a.username }]);
  });
});
