import { neon, neonConfig, NeonDbError, type NeonQueryFunction } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testPostgresUrl } from "../lib/database";
import { SQL_ERROR_FIELDS } from "./protocol";
import { DEFAULT_MAX_BYTES, type NeonLocal, startNeonLocal } from "./server";

/**
 * The local endpoint driven by the production driver (`neon()` over HTTP), unmocked.
 * Runs on PGlite by default, and on a real PostgreSQL when `DATABASE_URL=... npm test` names one.
 */

const expectedBackend = testPostgresUrl() ? "postgres" : "pglite";

let local: NeonLocal;
let database: string;
let sql: NeonQueryFunction<false, false>;
/** Every database this file creates, dropped in afterAll. */
const created: string[] = [];

function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}

async function createDatabase(prefix = "nl"): Promise<string> {
  const name = uniqueName(prefix);
  created.push(name);
  await local.backend.createDatabase(name);
  return name;
}

beforeAll(async () => {
  local = await startNeonLocal({ port: 0, databaseUrl: testPostgresUrl() });
  neonConfig.fetchEndpoint = `${local.url}/sql`;
  database = await createDatabase();
  sql = neon(local.connectionString(database));
});

afterAll(async () => {
  if (!local) return;
  for (const name of created) await local.backend.dropDatabase(name);
  await local.close();
});

/** Awaits a query that must fail, and returns the driver's error. */
async function dbError(promise: Promise<unknown>): Promise<NeonDbError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the query to fail");
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(NeonDbError);
  return error as NeonDbError;
}

/** Neon's error body: `message` and every Postgres field, absent ones null (`code`, `severity`: ""). */
function expectEveryErrorKey(body: Record<string, unknown>) {
  expect(Object.keys(body).sort()).toStrictEqual(["message", ...SQL_ERROR_FIELDS].sort());
  expect(body.message).toEqual(expect.any(String));
  expect(body.code).toEqual(expect.any(String));
  expect(body.severity).toEqual(expect.any(String));
  for (const field of SQL_ERROR_FIELDS) {
    if (body[field] !== null) expect(body[field], field).toEqual(expect.any(String));
  }
}

interface RawReply {
  status: number;
  contentType: string | null;
  json: any;
}

/** POSTs to `/sql` directly, with the headers the driver sends unless overridden (undefined removes one). */
async function postSql(
  body: unknown,
  headers: Record<string, string | undefined> = {},
  options: { rawBody?: boolean } = {},
): Promise<RawReply> {
  const all: Record<string, string | undefined> = {
    "Neon-Connection-String": local.connectionString(database),
    "Neon-Raw-Text-Output": "true",
    "Neon-Array-Mode": "true",
    ...headers,
  };
  const sent = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const res = await fetch(`${local.url}/sql`, {
    method: "POST",
    headers: sent,
    body: options.rawBody ? (body as string) : JSON.stringify(body),
  });
  return { status: res.status, contentType: res.headers.get("content-type"), json: await res.json() };
}

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${local.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Runs `statement` as one query and returns its only row. */
async function one(statement: Promise<Record<string, any>[]>): Promise<Record<string, any>> {
  const rows = await statement;
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe("type round-trips: values Postgres returns", () => {
  it("integers: int2 and int4 as numbers, int8 as a string (exact beyond 2^53)", async () => {
    const row = await one(
      sql`SELECT 32767::int2 AS small, (-32768)::int2 AS small_min, 2147483647::int4 AS int,
        (-2147483648)::int4 AS int_min, 9007199254740993::int8 AS big, (-9223372036854775808)::int8 AS big_min`,
    );
    expect(row).toStrictEqual({
      small: 32767,
      small_min: -32768,
      int: 2147483647,
      int_min: -2147483648,
      big: "9007199254740993",
      big_min: "-9223372036854775808",
    });
  });

  it("numeric comes back as its exact text, scale included", async () => {
    const row = await one(
      sql`SELECT 12345678901234567890.123456789::numeric AS n, 1.50::numeric(10,2) AS money, (-0.001)::numeric AS neg`,
    );
    expect(row).toStrictEqual({ n: "12345678901234567890.123456789", money: "1.50", neg: "-0.001" });
  });

  it("float8 and float4 keep full precision and special values", async () => {
    const row = await one(
      sql`SELECT 0.1::float8 + 0.2::float8 AS sum, 1.5::float4 AS f4, 'NaN'::float8 AS nan,
        'Infinity'::float8 AS inf, '-Infinity'::float8 AS ninf, 1e-300::float8 AS tiny`,
    );
    expect(row.sum).toBe(0.1 + 0.2);
    expect(row.f4).toBe(1.5);
    expect(row.nan).toBeNaN();
    expect(row.inf).toBe(Infinity);
    expect(row.ninf).toBe(-Infinity);
    expect(row.tiny).toBe(1e-300);
  });

  it("booleans", async () => {
    expect(await one(sql`SELECT true AS t, false AS f`)).toStrictEqual({ t: true, f: false });
  });

  it("text with unicode, quotes, backslashes and newlines; varchar and char", async () => {
    const row = await one(
      sql`SELECT E'it''s "quoted"\\\\ line1\nline2\ttab' AS t, 'ñandú 🕺💃 タンゴ' AS u,
        'abc'::varchar(5) AS v, 'ab'::char(4) AS c`,
    );
    expect(row).toStrictEqual({
      t: `it's "quoted"\\ line1\nline2\ttab`,
      u: "ñandú 🕺💃 タンゴ",
      v: "abc",
      c: "ab  ",
    });
  });

  it("timestamp without time zone is parsed as local time, to the millisecond", async () => {
    const row = await one(sql`SELECT '2024-01-02 03:04:05.678'::timestamp AS t`);
    expect(row.t).toBeInstanceOf(Date);
    expect(row.t).toStrictEqual(new Date(2024, 0, 2, 3, 4, 5, 678));
  });

  it("timestamptz is the exact instant, whatever offset it was written with", async () => {
    const row = await one(
      sql`SELECT '2024-01-02 03:04:05.678+02'::timestamptz AS t, '2024-06-30 23:59:59.999-03:30'::timestamptz AS u`,
    );
    expect(row.t).toStrictEqual(new Date(Date.UTC(2024, 0, 2, 1, 4, 5, 678)));
    expect(row.u).toStrictEqual(new Date(Date.UTC(2024, 6, 1, 3, 29, 59, 999)));
  });

  it("the session renders timestamptz in UTC (as Neon does)", async () => {
    const row = await one(sql`SELECT '2024-01-02 03:04:05+02'::timestamptz::text AS t, current_setting('TimeZone') AS tz`);
    expect(row).toStrictEqual({ t: "2024-01-02 01:04:05+00", tz: "UTC" });
  });

  it("date is local midnight", async () => {
    const row = await one(sql`SELECT '2024-02-29'::date AS d`);
    expect(row.d).toStrictEqual(new Date(2024, 1, 29));
  });

  it("infinite timestamps", async () => {
    const row = await one(sql`SELECT 'infinity'::timestamptz AS a, '-infinity'::timestamp AS b`);
    expect(row).toStrictEqual({ a: Infinity, b: -Infinity });
  });

  it("interval becomes a PostgresInterval with every component", async () => {
    const row = await one(sql`SELECT '1 year 2 mons 3 days 04:05:06.5'::interval AS i, '-1 day'::interval AS neg`);
    expect({ ...row.i }).toStrictEqual({ years: 1, months: 2, days: 3, hours: 4, minutes: 5, seconds: 6, milliseconds: 500 });
    expect(row.i.toISOString()).toBe("P1Y2M3DT4H5M6.5S");
    expect(row.neg.days).toBe(-1);
  });

  it("json and jsonb: objects, arrays, nesting, scalars, strings with quotes", async () => {
    const row = await one(
      sql`SELECT '{"a":1,"b":[true,null,{"c":"x\\"y"}]}'::json AS obj,
        '[1,"two",{"three":[3]}]'::jsonb AS arr,
        '"he said \\"hi\\""'::jsonb AS str,
        '42'::json AS num, 'null'::jsonb AS jnull, '{"ü":"🕺"}'::jsonb AS uni`,
    );
    expect(row).toStrictEqual({
      obj: { a: 1, b: [true, null, { c: 'x"y' }] },
      arr: [1, "two", { three: [3] }],
      str: 'he said "hi"',
      num: 42,
      jnull: null,
      uni: { ü: "🕺" },
    });
  });

  it("int[] and text[] with NULL elements, separators, quotes, braces, backslashes", async () => {
    const row = await one(
      sql`SELECT ARRAY[1, NULL, -3]::int[] AS ints,
        ARRAY['a,b', 'q"x', '{}', NULL, '', 'NULL', 'back\\slash', ' padded ', 'ü']::text[] AS texts,
        '{{1,2},{3,4}}'::int[] AS matrix, ARRAY[1, 2]::int8[] AS bigs, ARRAY[true, false] AS bools`,
    );
    expect(row).toStrictEqual({
      ints: [1, null, -3],
      texts: ["a,b", 'q"x', "{}", null, "", "NULL", "back\\slash", " padded ", "ü"],
      matrix: [
        [1, 2],
        [3, 4],
      ],
      bigs: ["1", "2"],
      bools: [true, false],
    });
  });

  it("empty arrays", async () => {
    expect(await one(sql`SELECT '{}'::int[] AS i, '{}'::text[] AS t`)).toStrictEqual({ i: [], t: [] });
  });

  it("bytea written in SQL comes back as bytes", async () => {
    const row = await one(sql`SELECT '\\xdeadbeef00'::bytea AS b, ''::bytea AS empty`);
    expect(row.b).toStrictEqual(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00]));
    expect(row.empty).toStrictEqual(Buffer.alloc(0));
  });

  it("uuid is a string", async () => {
    const row = await one(sql`SELECT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid AS u, gen_random_uuid() AS r`);
    expect(row.u).toBe("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    expect(row.r).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("NULL of every type is null", async () => {
    const row = await one(
      sql`SELECT NULL::int2 AS a, NULL::int4 AS b, NULL::int8 AS c, NULL::numeric AS d, NULL::float8 AS e,
        NULL::bool AS f, NULL::text AS g, NULL::varchar AS h, NULL::timestamp AS i, NULL::timestamptz AS j,
        NULL::date AS k, NULL::interval AS l, NULL::json AS m, NULL::jsonb AS n, NULL::int[] AS o,
        NULL::text[] AS p, NULL::bytea AS q, NULL::uuid AS r`,
    );
    expect(Object.keys(row)).toHaveLength(18);
    for (const value of Object.values(row)) expect(value).toBeNull();
  });

  it("a large text value (2 MB) survives intact", async () => {
    const big = "tango ".repeat(350_000);
    const row = await one(sql`SELECT ${big}::text AS t, length(${big}::text) AS n`);
    expect(row.n).toBe(big.length);
    expect(row.t).toBe(big);
  });
});

describe("type round-trips: parameters", () => {
  it("strings, including unicode, quotes, backslashes and SQL-looking text", async () => {
    const values = ["", "it's", 'say "hi"', "back\\slash", "line1\nline2", "🕺 ñ", "'); DROP TABLE x; --", "NULL"];
    for (const value of values) {
      expect(await one(sql`SELECT ${value}::text AS v`)).toStrictEqual({ v: value });
    }
  });

  it("numbers, as int, bigint, numeric and float8", async () => {
    const row = await one(
      sql`SELECT ${42}::int AS i, ${-7}::int8 AS big, ${"123456789012345678901234567890"}::numeric AS n,
        ${0.1 + 0.2}::float8 AS f, ${1e21}::float8 AS e`,
    );
    expect(row).toStrictEqual({ i: 42, big: "-7", n: "123456789012345678901234567890", f: 0.1 + 0.2, e: 1e21 });
  });

  it("a bigint param beyond 2^53 is exact", async () => {
    const row = await one(sql`SELECT ${9007199254740993n}::int8 + 1 AS v`);
    expect(row.v).toBe("9007199254740994");
  });

  it("booleans and null", async () => {
    const row = await one(
      sql`SELECT ${true}::bool AS t, ${false}::bool AS f, ${null}::int AS n, ${null}::text IS NULL AS isnull`,
    );
    expect(row).toStrictEqual({ t: true, f: false, n: null, isnull: true });
  });

  it("undefined is sent as NULL", async () => {
    expect(await one(sql`SELECT ${undefined}::text IS NULL AS v`)).toStrictEqual({ v: true });
  });

  it("Date as timestamptz keeps the instant", async () => {
    const instant = new Date(Date.UTC(2025, 10, 24, 22, 30, 15, 123));
    const row = await one(sql`SELECT ${instant}::timestamptz AS t, extract(epoch FROM ${instant}::timestamptz) AS epoch`);
    expect(row.t).toStrictEqual(instant);
    expect(row.epoch).toBe("1764023415.123000");
  });

  it("arrays of numbers and strings become Postgres arrays", async () => {
    const texts = ["a,b", 'q"x', "{}", null, "", "NULL", "back\\slash", "ü 🕺"];
    const row = await one(
      sql`SELECT ${[1, null, 3]}::int[] AS ints, ${texts}::text[] AS texts, ${[]}::int[] AS empty,
        cardinality(${texts}::text[]) AS n`,
    );
    expect(row).toStrictEqual({ ints: [1, null, 3], texts, empty: [], n: texts.length });
  });

  it("objects are sent as JSON", async () => {
    const value = { name: 'Piazzolla "Astor"', years: [1921, 1992], nested: { ok: true, none: null }, uni: "🎻" };
    const row = await one(sql`SELECT ${value}::jsonb AS j, ${value}::json AS k, ${value}::jsonb ->> 'name' AS name`);
    expect(row).toStrictEqual({ j: value, k: value, name: 'Piazzolla "Astor"' });
  });

  it("bytea from a Uint8Array and from a Buffer, every byte value", async () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const row = await one(
      sql`SELECT ${all}::bytea AS a, length(${all}::bytea) AS n, ${Buffer.from("hi\0there")}::bytea AS b`,
    );
    expect(row.n).toBe(256);
    expect(row.a).toStrictEqual(Buffer.from(all));
    expect(row.b).toStrictEqual(Buffer.from("hi\0there"));
  });

  it("uuid", async () => {
    const id = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
    expect(await one(sql`SELECT ${id}::uuid AS u`)).toStrictEqual({ u: id });
  });

  it("sql.query with $n placeholders, a parameter used twice, and 100 parameters", async () => {
    expect(await sql.query("SELECT $1::int + $1::int AS twice, $2::text AS s", [21, "x"])).toStrictEqual([
      { twice: 42, s: "x" },
    ]);
    const params = Array.from({ length: 100 }, (_, i) => i + 1);
    const text = `SELECT ${params.map((_, i) => `$${i + 1}::int`).join(" + ")} AS total`;
    expect(await sql.query(text, params)).toStrictEqual([{ total: 5050 }]);
  });

  it("values round-trip through a table", async () => {
    await sql`CREATE TABLE roundtrip (
      id serial PRIMARY KEY, t text, ts timestamptz, d date, j jsonb, tags text[], b bytea, u uuid, n numeric, ok bool)`;
    const row = {
      t: "Café \"Tortoni\"\n'1858'",
      ts: new Date(Date.UTC(2020, 1, 29, 12, 0, 0, 1)),
      d: new Date(2021, 11, 31),
      j: { tandas: [{ orchestra: "Di Sarli", songs: 4 }], cortina: null },
      tags: ["milonga", "vals, tango", '"nuevo"'],
      b: Buffer.from([1, 2, 3]),
      u: "0f8fad5b-d9cb-469f-a165-70867728950e",
      n: "3.14159265358979323846",
      ok: false,
    };
    const [inserted] = await sql`
      INSERT INTO roundtrip (t, ts, d, j, tags, b, u, n, ok)
      VALUES (${row.t}, ${row.ts}, ${"2021-12-31"}, ${row.j}, ${row.tags}, ${row.b}, ${row.u}, ${row.n}, ${row.ok})
      RETURNING t, ts, d, j, tags, b, u, n, ok`;
    expect(inserted).toStrictEqual(row);
    expect(await sql`SELECT t, ts, d, j, tags, b, u, n, ok FROM roundtrip`).toStrictEqual([row]);
  });
});

describe("result shapes", () => {
  beforeAll(async () => {
    await sql`CREATE TABLE shapes (id int PRIMARY KEY, name text NOT NULL, big int8)`;
  });

  it("SELECT with fullResults: fields, command, rowCount and object rows", async () => {
    const result = await sql.query("SELECT 1::int AS a, 'x'::text AS b, 2::int8 AS c UNION ALL SELECT 3, 'y', 4", [], {
      fullResults: true,
    });
    expect(result.command).toBe("SELECT");
    expect(result.rowCount).toBe(2);
    expect(result.rowAsArray).toBe(false);
    expect(result.fields.map((f) => [f.name, f.dataTypeID])).toStrictEqual([
      ["a", 23],
      ["b", 25],
      ["c", 20],
    ]);
    expect(result.rows).toStrictEqual([
      { a: 1, b: "x", c: "2" },
      { a: 3, b: "y", c: "4" },
    ]);
  });

  it("fields name the source table and column of a table's columns", async () => {
    const [ids] = await sql`SELECT 'shapes'::regclass::oid::int AS oid`;
    const result = await sql.query("SELECT name, id, now() AS t FROM shapes", [], { fullResults: true });
    expect(result.fields.map((f) => ({ name: f.name, tableID: f.tableID, columnID: f.columnID, type: f.dataTypeID })))
      .toStrictEqual([
        { name: "name", tableID: ids!.oid, columnID: 2, type: 25 },
        { name: "id", tableID: ids!.oid, columnID: 1, type: 23 },
        { name: "t", tableID: 0, columnID: 0, type: 1184 },
      ]);
    expect(result.rowCount).toBe(0);
    expect(result.rows).toStrictEqual([]);
  });

  it("arrayMode: true gives rows as arrays, in column order, duplicate names kept", async () => {
    const result = await sql.query("SELECT 1 AS x, 'two' AS x, NULL::int AS z", [], { fullResults: true, arrayMode: true });
    expect(result.rowAsArray).toBe(true);
    expect(result.rows).toStrictEqual([[1, "two", null]]);
    expect(await sql.query("SELECT 1 AS a, 2 AS b", [], { arrayMode: true })).toStrictEqual([[1, 2]]);
  });

  it("arrayMode set on neon() applies to every query", async () => {
    const arrays = neon(local.connectionString(database), { arrayMode: true, fullResults: true });
    const result = await arrays`SELECT ${5}::int AS five`;
    expect(result.rows).toStrictEqual([[5]]);
    expect(result.rowAsArray).toBe(true);
  });

  it("INSERT, UPDATE and DELETE report their command and row count", async () => {
    const opts = { fullResults: true } as const;
    const insert = await sql.query("INSERT INTO shapes (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')", [], opts);
    expect({ command: insert.command, rowCount: insert.rowCount, rows: insert.rows, fields: insert.fields })
      .toStrictEqual({ command: "INSERT", rowCount: 3, rows: [], fields: [] });

    const update = await sql.query("UPDATE shapes SET big = id * 10 WHERE id >= $1", [2], opts);
    expect([update.command, update.rowCount]).toStrictEqual(["UPDATE", 2]);

    const none = await sql.query("UPDATE shapes SET big = 0 WHERE id > 100", [], opts);
    expect([none.command, none.rowCount]).toStrictEqual(["UPDATE", 0]);

    const returning = await sql.query("DELETE FROM shapes WHERE id = 3 RETURNING id, big", [], opts);
    expect([returning.command, returning.rowCount]).toStrictEqual(["DELETE", 1]);
    expect(returning.rows).toStrictEqual([{ id: 3, big: "30" }]);

    const remove = await sql.query("DELETE FROM shapes", [], opts);
    expect([remove.command, remove.rowCount]).toStrictEqual(["DELETE", 2]);
  });

  it("DDL reports its command with a null rowCount", async () => {
    const create = await sql.query("CREATE TABLE shapes_ddl (id int)", [], { fullResults: true });
    expect({ command: create.command, rowCount: create.rowCount, rows: create.rows, fields: create.fields })
      .toStrictEqual({ command: "CREATE", rowCount: null, rows: [], fields: [] });
    const drop = await sql.query("DROP TABLE shapes_ddl", [], { fullResults: true });
    expect([drop.command, drop.rowCount]).toStrictEqual(["DROP", null]);
  });

  it("a statement without fullResults returns just the rows", async () => {
    expect(await sql`INSERT INTO shapes (id, name) VALUES (10, 'z')`).toStrictEqual([]);
    expect(await sql`SELECT name FROM shapes WHERE id = 10`).toStrictEqual([{ name: "z" }]);
  });
});

describe("SQL errors", () => {
  beforeAll(async () => {
    await sql.transaction([
      sql`CREATE TABLE err_parent (id int PRIMARY KEY)`,
      sql`CREATE TABLE err_child (
        id int PRIMARY KEY,
        email text NOT NULL CONSTRAINT err_child_email_key UNIQUE,
        parent_id int CONSTRAINT err_child_parent_fk REFERENCES err_parent (id),
        age int CONSTRAINT err_child_age_check CHECK (age >= 0))`,
      sql`INSERT INTO err_parent VALUES (1)`,
      sql`INSERT INTO err_child (id, email, parent_id, age) VALUES (1, 'a@example.com', 1, 30)`,
    ]);
  });

  it("unique violation: 23505 with constraint, detail, table and schema", async () => {
    const error = await dbError(sql`INSERT INTO err_child (id, email) VALUES (2, ${"a@example.com"})`);
    expect(error.message).toBe('duplicate key value violates unique constraint "err_child_email_key"');
    expect(error).toMatchObject({
      severity: "ERROR",
      code: "23505",
      constraint: "err_child_email_key",
      detail: "Key (email)=(a@example.com) already exists.",
      table: "err_child",
      schema: "public",
    });
  });

  it("not-null violation: 23502 with the column", async () => {
    const error = await dbError(sql`INSERT INTO err_child (id, email) VALUES (3, ${null})`);
    expect(error).toMatchObject({ code: "23502", column: "email", table: "err_child", schema: "public" });
    expect(error.message).toContain('null value in column "email"');
  });

  it("foreign key violation: 23503 with constraint and detail", async () => {
    const error = await dbError(sql`INSERT INTO err_child (id, email, parent_id) VALUES (4, 'b@example.com', 99)`);
    expect(error).toMatchObject({
      code: "23503",
      constraint: "err_child_parent_fk",
      table: "err_child",
      detail: 'Key (parent_id)=(99) is not present in table "err_parent".',
    });
  });

  it("check violation: 23514 with the constraint", async () => {
    const error = await dbError(sql`UPDATE err_child SET age = -1 WHERE id = 1`);
    expect(error).toMatchObject({ code: "23514", constraint: "err_child_age_check", table: "err_child" });
  });

  it("syntax error: 42601 with the position of the offending token", async () => {
    const text = "SELECT 1 FROM err_child WHERE id = = 1";
    const error = await dbError(sql.query(text));
    expect(error).toMatchObject({ code: "42601", message: 'syntax error at or near "="' });
    expect(error.position).toBe(String(text.indexOf("= =") + 3));
  });

  it("undefined table: 42P01 with a position", async () => {
    const error = await dbError(sql`SELECT * FROM no_such_table`);
    expect(error).toMatchObject({ code: "42P01", message: 'relation "no_such_table" does not exist', position: "15" });
  });

  it("undefined column: 42703 with a hint", async () => {
    const error = await dbError(sql`SELECT emial FROM err_child`);
    expect(error.code).toBe("42703");
    expect(error.hint).toMatch(/email/);
  });

  it("division by zero: 22012", async () => {
    const error = await dbError(sql`SELECT 1 / ${0}::int AS x`);
    expect(error).toMatchObject({ code: "22012", message: "division by zero" });
  });

  it("invalid input syntax for a parameter: 22P02", async () => {
    const error = await dbError(sql`SELECT ${"abc"}::int AS x`);
    expect(error).toMatchObject({ code: "22P02", message: 'invalid input syntax for type integer: "abc"' });
  });

  it("a NUL character in text: 22021", async () => {
    const error = await dbError(sql`SELECT ${"a\u0000b"}::text AS x`);
    expect(error.code).toBe("22021");
  });

  it("too few parameters: 08P01", async () => {
    const error = await dbError(sql.query("SELECT $1::int, $2::int", [1]));
    expect(error.code).toBe("08P01");
  });

  it("raw reply: HTTP 400 with a JSON body of the Postgres error fields", async () => {
    const reply = await postSql({ query: "INSERT INTO err_child (id, email) VALUES ($1, $2)", params: ["5", "a@example.com"] });
    expect(reply.status).toBe(400);
    expect(reply.contentType).toBe("application/json");
    expect(reply.json).toMatchObject({
      message: 'duplicate key value violates unique constraint "err_child_email_key"',
      severity: "ERROR",
      code: "23505",
      constraint: "err_child_email_key",
      table: "err_child",
      schema: "public",
      detail: "Key (email)=(a@example.com) already exists.",
    });
    expectEveryErrorKey(reply.json);
    // The fields Postgres did not report are there, as null.
    expect(reply.json).toMatchObject({ hint: null, position: null, internalQuery: null, column: null, dataType: null });
    expect(reply.json.file).toEqual(expect.any(String));
  });

  it("the database stays usable after errors", async () => {
    await Promise.all(Array.from({ length: 20 }, () => dbError(sql`SELECT 1 / 0 AS x`)));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => sql`SELECT ${i}::int AS i`));
    expect(results.map((rows) => rows[0]!.i as number)).toStrictEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

describe("batches (sql.transaction)", () => {
  beforeAll(async () => {
    await sql`CREATE TABLE batch_items (id int PRIMARY KEY, label text NOT NULL)`;
  });

  it("returns each statement's result, in order", async () => {
    const results = await sql.transaction([
      sql`INSERT INTO batch_items VALUES (1, 'one') RETURNING id`,
      sql`SELECT ${"second"}::text AS s`,
      sql`INSERT INTO batch_items VALUES (2, 'two'), (3, 'three') RETURNING label`,
      sql`SELECT count(*)::int AS n FROM batch_items`,
    ]);
    expect(results).toStrictEqual([[{ id: 1 }], [{ s: "second" }], [{ label: "two" }, { label: "three" }], [{ n: 3 }]]);
  });

  it("fullResults and arrayMode", async () => {
    const results = await sql.transaction(
      [
        sql`UPDATE batch_items SET label = upper(label) WHERE id <= 2`,
        sql`SELECT id, label FROM batch_items ORDER BY id`,
      ],
      { fullResults: true, arrayMode: true },
    );
    expect(results.map((r) => [r.command, r.rowCount, r.rowAsArray])).toStrictEqual([
      ["UPDATE", 2, true],
      ["SELECT", 3, true],
    ]);
    expect(results[1]!.fields.map((f) => [f.name, f.dataTypeID])).toStrictEqual([
      ["id", 23],
      ["label", 25],
    ]);
    expect(results[1]!.rows).toStrictEqual([
      [1, "ONE"],
      [2, "TWO"],
      [3, "three"],
    ]);
  });

  it("is all-or-nothing: a failing third statement rolls back the first two", async () => {
    const error = await dbError(
      sql.transaction([
        sql`INSERT INTO batch_items VALUES (100, 'first')`,
        sql`UPDATE batch_items SET label = 'changed' WHERE id = 1`,
        sql`INSERT INTO batch_items VALUES (1, 'duplicate')`,
      ]),
    );
    expect(error.code).toBe("23505");
    expect(await sql`SELECT id FROM batch_items WHERE id = 100`).toStrictEqual([]);
    expect(await sql`SELECT label FROM batch_items WHERE id = 1`).toStrictEqual([{ label: "ONE" }]);
  });

  it("rolls back DDL too", async () => {
    await dbError(sql.transaction([sql`CREATE TABLE batch_ghost (id int)`, sql`SELECT 1 / 0 AS x`]));
    expect(await sql`SELECT to_regclass('batch_ghost') AS t`).toStrictEqual([{ t: null }]);
  });

  it("an empty batch returns an empty array", async () => {
    expect(await sql.transaction([])).toStrictEqual([]);
  });

  it("runs in one transaction: the same transaction id throughout", async () => {
    const [a, b] = await sql.transaction([sql`SELECT txid_current() AS id`, sql`SELECT txid_current() AS id`]);
    expect(a![0]!.id).toBe(b![0]!.id);
  });

  it("defaults to read committed, read write", async () => {
    const [level, readOnly] = await sql.transaction([sql`SHOW transaction_isolation`, sql`SHOW transaction_read_only`]);
    expect(level).toStrictEqual([{ transaction_isolation: "read committed" }]);
    expect(readOnly).toStrictEqual([{ transaction_read_only: "off" }]);
  });

  it.each([
    ["ReadUncommitted", "read uncommitted"],
    ["ReadCommitted", "read committed"],
    ["RepeatableRead", "repeatable read"],
    ["Serializable", "serializable"],
  ] as const)("honours isolationLevel %s", async (isolationLevel, shown) => {
    const [rows] = await sql.transaction([sql`SHOW transaction_isolation`], { isolationLevel });
    expect(rows).toStrictEqual([{ transaction_isolation: shown }]);
  });

  it("isolationLevel set on neon() applies to its batches", async () => {
    const serializable = neon(local.connectionString(database), { isolationLevel: "RepeatableRead" });
    const [rows] = await serializable.transaction([serializable`SHOW transaction_isolation`]);
    expect(rows).toStrictEqual([{ transaction_isolation: "repeatable read" }]);
  });

  it("readOnly: true rejects writes with 25006 and writes nothing", async () => {
    const error = await dbError(
      sql.transaction([sql`SELECT 1 AS x`, sql`INSERT INTO batch_items VALUES (200, 'ro')`], { readOnly: true }),
    );
    expect(error.code).toBe("25006");
    expect(await sql`SELECT id FROM batch_items WHERE id = 200`).toStrictEqual([]);
  });

  it("readOnly: true still reads; readOnly: false writes", async () => {
    const [ro] = await sql.transaction([sql`SHOW transaction_read_only`, sql`SELECT 1 AS x`], { readOnly: true });
    expect(ro).toStrictEqual([{ transaction_read_only: "on" }]);
    const [rw] = await sql.transaction([sql`SHOW transaction_read_only`, sql`INSERT INTO batch_items VALUES (201, 'rw')`], {
      readOnly: false,
    });
    expect(rw).toStrictEqual([{ transaction_read_only: "off" }]);
  });

  it("deferrable is accepted, with serializable read-only", async () => {
    const results = await sql.transaction(
      [sql`SHOW transaction_isolation`, sql`SHOW transaction_read_only`, sql`SHOW transaction_deferrable`],
      { isolationLevel: "Serializable", readOnly: true, deferrable: true },
    );
    expect(results).toStrictEqual([
      [{ transaction_isolation: "serializable" }],
      [{ transaction_read_only: "on" }],
      [{ transaction_deferrable: "on" }],
    ]);
    const [notDeferrable] = await sql.transaction([sql`SHOW transaction_deferrable`], { deferrable: false });
    expect(notDeferrable).toStrictEqual([{ transaction_deferrable: "off" }]);
  });

  it.each([
    ["a batch", { queries: [{ query: "SELECT 1", params: [] }] }],
    ["a single query (Neon checks it on every request)", { query: "SELECT 1", params: [] }],
  ])("an unknown Neon-Batch-Isolation-Level is a 400 for %s", async (_, body) => {
    for (const level of ["Chaotic", "serializable", "SERIALIZABLE", ""]) {
      const reply = await postSql(body, { "Neon-Batch-Isolation-Level": level });
      expect(reply.status, level).toBe(400);
      expect(reply.json, level).toMatchObject({ message: "invalid isolation level", code: "", severity: "" });
    }
  });

  it("a valid isolation level on a single query is accepted (and has no effect on it)", async () => {
    const reply = await postSql({ query: "SHOW transaction_isolation", params: [] }, { "Neon-Batch-Isolation-Level": "Serializable" });
    expect(reply.status).toBe(200);
    expect(reply.json.rows).toStrictEqual([["read committed"]]);
  });

  it("Neon-Batch-Read-Only and -Deferrable: anything but `true` is false, as on Neon", async () => {
    for (const value of ["yes", "TRUE", "1", "false", ""]) {
      const reply = await postSql(
        {
          queries: [
            { query: "SHOW transaction_read_only", params: [] },
            { query: "SHOW transaction_deferrable", params: [] },
            { query: "INSERT INTO batch_items VALUES (300, 'lenient') ON CONFLICT DO NOTHING", params: [] },
          ],
        },
        { "Neon-Batch-Isolation-Level": "Serializable", "Neon-Batch-Read-Only": value, "Neon-Batch-Deferrable": value },
      );
      expect(reply.status, value).toBe(200);
      expect(reply.json.results.slice(0, 2).map((r: { rows: unknown }) => r.rows), value).toStrictEqual([[["off"]], [["off"]]]);
    }
    const strict = await postSql(
      { queries: [{ query: "SHOW transaction_read_only", params: [] }] },
      { "Neon-Batch-Read-Only": "true" },
    );
    expect(strict.json.results[0].rows).toStrictEqual([["on"]]);
  });

  it("raw reply of a batch: {results: [...]}", async () => {
    const reply = await postSql(
      { queries: [{ query: "SELECT $1::int AS a", params: [7] }, { query: "SELECT 'b' AS b" }] },
      { "Neon-Batch-Isolation-Level": "Serializable" },
    );
    expect(reply.status).toBe(200);
    expect(reply.json.results.map((r: { rows: unknown }) => r.rows)).toStrictEqual([[["7"]], [["b"]]]);
    expect(reply.json.results[0]).toMatchObject({ command: "SELECT", rowCount: 1, rowAsArray: true });
  });
});

describe("one statement per query", () => {
  beforeAll(async () => {
    await sql`CREATE TABLE single_items (id int PRIMARY KEY)`;
  });

  it("rejects a query string holding two statements, running neither", async () => {
    const error = await dbError(sql`INSERT INTO single_items VALUES (1); INSERT INTO single_items VALUES (2)`);
    expect(error).toMatchObject({ code: "42601", message: "cannot insert multiple commands into a prepared statement" });
    expect(await sql`SELECT id FROM single_items`).toStrictEqual([]);
  });

  it("rejects two statements inside a batch entry too, rolling back the batch", async () => {
    await dbError(sql.transaction([sql`INSERT INTO single_items VALUES (3)`, sql`SELECT 1; SELECT 2`]));
    expect(await sql`SELECT id FROM single_items`).toStrictEqual([]);
  });

  it.each(["BEGIN", "START TRANSACTION"])("a lone %s does not leave a transaction open", async (begin) => {
    await sql.query(begin);
    const [first] = await sql`SELECT txid_current() AS id`;
    const [second] = await sql`SELECT txid_current() AS id`;
    expect(first!.id).not.toBe(second!.id);

    await sql.query(begin);
    await sql`INSERT INTO single_items VALUES (${begin.length})`;
    // From every pooled connection (PostgreSQL): the row is committed, and nobody holds a lock on it.
    const reads = await Promise.all(
      Array.from({ length: 10 }, () => sql`SELECT id FROM single_items WHERE id = ${begin.length}`),
    );
    for (const rows of reads) expect(rows).toStrictEqual([{ id: begin.length }]);
    await Promise.all(
      Array.from({ length: 10 }, () => sql`UPDATE single_items SET id = id WHERE id = ${begin.length}`),
    );
    const idle = await sql`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND state LIKE 'idle in transaction%'`;
    expect(idle).toStrictEqual([{ n: 0 }]);
  });
});

describe("concurrency", () => {
  beforeAll(async () => {
    await sql.transaction([
      sql`CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)`,
      sql`INSERT INTO counter VALUES (1, 0)`,
      sql`CREATE TABLE pairs (batch int NOT NULL, part int NOT NULL, PRIMARY KEY (batch, part))`,
    ]);
  });

  it("50 concurrent increments and 10 concurrent two-row batches all land exactly once", async () => {
    const increments = Array.from({ length: 50 }, () => sql`UPDATE counter SET n = n + 1 WHERE id = 1`);
    const batches = Array.from({ length: 10 }, (_, i) =>
      sql.transaction([sql`INSERT INTO pairs VALUES (${i}, 1)`, sql`INSERT INTO pairs VALUES (${i}, 2)`]),
    );
    await Promise.all([...increments, ...batches]);
    expect(await sql`SELECT n FROM counter WHERE id = 1`).toStrictEqual([{ n: 50 }]);
    expect(await sql`SELECT count(*)::int AS rows, count(DISTINCT batch)::int AS batches FROM pairs`).toStrictEqual([
      { rows: 20, batches: 10 },
    ]);
  });

  it("concurrent readers never see half a batch", async () => {
    await sql`DELETE FROM pairs`;
    let writing = true;
    // The pause between the two inserts holds each batch half-done for a while: a reader
    // outside the transaction would see the first row alone if the batch were not atomic.
    const writers = Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        sql.transaction([
          sql`INSERT INTO pairs VALUES (${i}, 1)`,
          sql`SELECT pg_sleep(0.02)`,
          sql`INSERT INTO pairs VALUES (${i}, 2)`,
        ]),
      ),
    ).finally(() => {
      writing = false;
    });
    const halves: unknown[] = [];
    let reads = 0;
    const reader = async () => {
      while (writing) {
        halves.push(...(await sql`SELECT batch FROM pairs GROUP BY batch HAVING count(*) <> 2`));
        reads += 1;
      }
    };
    await Promise.all([writers, reader(), reader(), reader()]);
    expect(reads).toBeGreaterThan(0);
    expect(halves).toStrictEqual([]);
    expect(await sql`SELECT count(*)::int AS n FROM pairs`).toStrictEqual([{ n: 20 }]);
  });

  it("a failed batch among concurrent ones rolls back alone", async () => {
    await sql`DELETE FROM pairs`;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        sql.transaction([
          sql`INSERT INTO pairs VALUES (${i}, 1)`,
          i % 2 === 0 ? sql`INSERT INTO pairs VALUES (${i}, 2)` : sql`INSERT INTO pairs VALUES (${i}, 1)`,
        ]),
      ),
    );
    expect(outcomes.map((o) => o.status)).toStrictEqual(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? "fulfilled" : "rejected")),
    );
    expect(await sql`SELECT DISTINCT batch FROM pairs ORDER BY batch`).toStrictEqual(
      [0, 2, 4, 6, 8].map((batch) => ({ batch })),
    );
  });
});

describe("protocol errors", () => {
  it("a missing Neon-Connection-String header is a 400", async () => {
    const reply = await postSql({ query: "SELECT 1", params: [] }, { "Neon-Connection-String": undefined });
    expect(reply.status).toBe(400);
    expect(reply.json.message).toMatch(/Neon-Connection-String/);
  });

  it("an unparseable connection string or a bad database name is a 400", async () => {
    for (const connectionString of ["not a url", "postgresql://u:p@host/Bad-Name", "postgresql://u:p@host/"]) {
      const reply = await postSql({ query: "SELECT 1", params: [] }, { "Neon-Connection-String": connectionString });
      expect(reply.status, connectionString).toBe(400);
      expect(reply.json.code, connectionString).toBe("");
    }
  });

  it.each([
    ["options=-c statement_timeout=1", "options"],
    ["options=-c%20search_path%3Dpg_catalog", "options"],
    ["search_path=pg_catalog&sslmode=require", "search_path"],
    ["statement_timeout=1", "statement_timeout"],
  ])("a connection-string parameter that would be a startup setting (%s) is refused with a 400", async (query, name) => {
    const reply = await postSql({ query: "SELECT 1", params: [] }, { "Neon-Connection-String": `${local.connectionString(database)}?${query}` });
    expect(reply.status).toBe(400);
    expect(reply.json.message).toContain(`parameter ${name} is not supported`);
    expectEveryErrorKey(reply.json);
    // Through the driver too: a clear error, not a silently ignored setting.
    const withOptions = neon(`${local.connectionString(database)}?${query}`);
    await expect(withOptions`SELECT 1 AS x`).rejects.toThrow(`parameter ${name} is not supported`);
  });

  it("TLS parameters and application_name (which the driver adds) are accepted", async () => {
    const dashboardUrl = neon(`${local.connectionString(database)}?sslmode=require&channel_binding=require`);
    expect(await dashboardUrl`SELECT 1 AS x`).toStrictEqual([{ x: 1 }]);
    const reply = await postSql(
      { query: "SELECT 1 AS x", params: [] },
      { "Neon-Connection-String": `${local.connectionString(database)}?application_name=probe&sslmode=verify-full` },
    );
    expect(reply.status).toBe(200);
  });

  it("a malformed JSON body is a 400", async () => {
    const reply = await postSql('{"query": "SELECT 1",', {}, { rawBody: true });
    expect(reply.status).toBe(400);
    expect(reply.json.message).toMatch(/JSON/);
  });

  it.each([
    ["no query", { params: [] }],
    ["a non-string query", { query: 1 }],
    ["params that are not an array", { query: "SELECT 1", params: "1" }],
    ["an object parameter", { query: "SELECT $1", params: [{ a: 1 }] }],
    ["queries that are not an array", { queries: { query: "SELECT 1" } }],
    ["a batch entry without a query", { queries: [{ query: "SELECT 1" }, { params: [] }] }],
    ["a JSON array body", [1, 2]],
    ["a JSON null body", null],
  ])("a body with %s is a 400", async (_, body) => {
    const reply = await postSql(body);
    expect(reply.status).toBe(400);
    expect(reply.json.message).toEqual(expect.any(String));
    expect(reply.json.code).toBe("");
    expectEveryErrorKey(reply.json);
  });

  it("number and boolean params are accepted and sent as text", async () => {
    const reply = await postSql({ query: "SELECT $1::int + 1 AS a, $2::bool AS b, $3::text AS c", params: [41, true, null] });
    expect(reply.status).toBe(200);
    expect(reply.json.rows).toStrictEqual([["42", "t", null]]);
  });

  it("Neon-Array-Mode: anything but `true` replies with rows as objects", async () => {
    for (const value of ["false", "1", "TRUE", undefined]) {
      const reply = await postSql({ query: "SELECT 1 AS a, 'x' AS b", params: [] }, { "Neon-Array-Mode": value });
      expect(reply.status, value).toBe(200);
      expect(reply.json, value).toMatchObject({ rows: [{ a: "1", b: "x" }], rowAsArray: false, command: "SELECT", rowCount: 1 });
    }
  });

  it("arrayMode in a query of the body overrides Neon-Array-Mode, statement by statement", async () => {
    const reply = await postSql(
      { queries: [{ query: "SELECT 1 AS a", arrayMode: false }, { query: "SELECT 2 AS b" }, { query: "SELECT 3 AS c", arrayMode: true }] },
      { "Neon-Array-Mode": "true" },
    );
    expect(reply.json.results.map((r: { rows: unknown; rowAsArray: boolean }) => [r.rows, r.rowAsArray])).toStrictEqual([
      [[{ a: "1" }], false],
      [[["2"]], true],
      [[["3"]], true],
    ]);
    expect((await postSql({ query: "SELECT 1", arrayMode: "yes" })).status).toBe(400);
  });

  it.each(["false", "1", undefined])(
    "Neon-Raw-Text-Output: %s replies with JSON values, as Neon does without `true`",
    async (value) => {
      const reply = await postSql(
        {
          query: `SELECT true AS t, false AS f, 7::int2 AS s, 42::int4 AS i, 9007199254740993::int8 AS big,
            1.50::numeric AS n, 0.5::float8 AS d, 'NaN'::float4 AS nan, 'Infinity'::float8 AS inf,
            '{"a":[1,null]}'::jsonb AS j, '[1,2]'::json AS arr_json, 'x' AS txt, NULL::int AS nul,
            ARRAY[1, NULL, 3] AS ints, '{{t,f},{f,t}}'::bool[] AS bools, ARRAY['a,b', 'NULL', NULL, 'q"\\'] AS texts,
            ARRAY['{"k":1}'::jsonb] AS jsons, ARRAY[1.5, 2]::numeric[] AS nums, '[0:1]={7,8}'::int[] AS bounded,
            '{}'::text[] AS empty, '2024-01-02 03:04:05+00'::timestamptz AS ts`,
          params: [],
        },
        { "Neon-Raw-Text-Output": value, "Neon-Array-Mode": "false" },
      );
      expect(reply.status).toBe(200);
      expect(reply.json.rows).toStrictEqual([
        {
          t: true,
          f: false,
          s: 7,
          i: 42,
          big: "9007199254740993",
          n: "1.50",
          d: 0.5,
          nan: "NaN",
          inf: "Infinity",
          j: { a: [1, null] },
          arr_json: [1, 2],
          txt: "x",
          nul: null,
          ints: [1, null, 3],
          bools: [
            [true, false],
            [false, true],
          ],
          texts: ["a,b", "NULL", null, 'q"\\'],
          jsons: [{ k: 1 }],
          nums: ["1.5", "2"],
          bounded: [7, 8],
          empty: [],
          ts: "2024-01-02 03:04:05+00",
        },
      ]);
    },
  );

  it("an unknown database is NeonDbError 3D000", async () => {
    const missing = neon(local.connectionString(uniqueName("nl_missing")));
    const error = await dbError(missing`SELECT 1 AS x`);
    expect(error.code).toBe("3D000");
    expect(error.message).toMatch(/does not exist/);
  });

  it("unknown routes are 404", async () => {
    expect((await admin("GET", "/sql")).status).toBe(404);
    expect((await admin("GET", "/nothing")).status).toBe(404);
    expect((await admin("PUT", "/_local/databases")).status).toBe(404);
  });
});

describe("admin API", () => {
  /** Creates a database through the admin API, recording it for cleanup. */
  async function createViaApi(name: string, template?: string) {
    created.push(name);
    return admin("POST", "/_local/databases", template === undefined ? { name } : { name, template });
  }

  it("GET /_local/health reports the backend", async () => {
    expect(await admin("GET", "/_local/health")).toStrictEqual({
      status: 200,
      json: { ok: true, backend: expectedBackend },
    });
  });

  it("POST creates an empty database and answers its connection string", async () => {
    const name = uniqueName("nl_empty");
    const reply = await createViaApi(name);
    expect(reply).toStrictEqual({ status: 201, json: { name, connectionString: local.connectionString(name) } });
    const fresh = neon(reply.json.connectionString);
    expect(
      await fresh`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`,
    ).toStrictEqual([{ n: 0 }]);
    expect(await local.backend.hasDatabase(name)).toBe(true);
  });

  it("every new database has the extensions available (as on Neon)", async () => {
    const name = uniqueName("nl_ext");
    await createViaApi(name);
    const fresh = neon(local.connectionString(name));
    await fresh`CREATE EXTENSION IF NOT EXISTS pg_trgm`;
    expect(await fresh`SELECT similarity('tango', 'tangos') > 0.5 AS similar`).toStrictEqual([{ similar: true }]);
  });

  it("POST with a template copies its tables and rows, and the copy is independent", async () => {
    const template = uniqueName("nl_tpl");
    expect((await createViaApi(template)).status).toBe(201);
    const source = neon(local.connectionString(template));
    await source.transaction([
      source`CREATE TABLE dancers (id serial PRIMARY KEY, name text NOT NULL UNIQUE)`,
      source`INSERT INTO dancers (name) VALUES ('Carlos'), ('María')`,
    ]);

    const copyName = uniqueName("nl_copy");
    expect((await createViaApi(copyName, template)).status).toBe(201);
    const copy = neon(local.connectionString(copyName));
    expect(await copy`SELECT id, name FROM dancers ORDER BY id`).toStrictEqual([
      { id: 1, name: "Carlos" },
      { id: 2, name: "María" },
    ]);
    // Constraints and sequences come along (a copied sequence may skip ahead, as after a
    // restart or a Neon branch: only "no reuse of a taken id" is guaranteed).
    expect((await dbError(copy`INSERT INTO dancers (name) VALUES ('Carlos')`)).code).toBe("23505");
    const [pepita] = await copy`INSERT INTO dancers (name) VALUES ('Pepita') RETURNING id`;
    expect(pepita!.id).toBeGreaterThan(2);

    await copy`DELETE FROM dancers WHERE name = 'María'`;
    expect(await source`SELECT count(*)::int AS n FROM dancers`).toStrictEqual([{ n: 2 }]);
    await source`INSERT INTO dancers (name) VALUES ('Juan')`;
    expect(await copy`SELECT name FROM dancers ORDER BY id`).toStrictEqual([{ name: "Carlos" }, { name: "Pepita" }]);
  });

  it("an unknown template is a 400 with code 3D000", async () => {
    const reply = await createViaApi(uniqueName("nl_orphan"), uniqueName("nl_no_template"));
    expect(reply.status).toBe(400);
    expect(reply.json.code).toBe("3D000");
  });

  it("creating an existing name fails with 42P04 and leaves the database alone", async () => {
    const name = uniqueName("nl_dup");
    await createViaApi(name);
    await neon(local.connectionString(name))`CREATE TABLE keep (id int)`;
    const reply = await createViaApi(name);
    expect(reply.status).toBe(400);
    expect(reply.json.code).toBe("42P04");
    expect(reply.json.message).toMatch(/already exists/);
    expect(await neon(local.connectionString(name))`SELECT to_regclass('keep') IS NOT NULL AS kept`).toStrictEqual([
      { kept: true },
    ]);
  });

  it.each([
    ["upper case", "Bad"],
    ["a dash", "bad-name"],
    ["a leading digit", "1abc"],
    ["an empty name", ""],
    ["64 characters", "a".repeat(64)],
    ["a quote", 'x"; DROP DATABASE postgres; --'],
    ["a number", 42],
  ])("a name with %s is a 400", async (_, name) => {
    const reply = await admin("POST", "/_local/databases", { name });
    expect(reply.status).toBe(400);
    expect(reply.json.message).toMatch(/name must match/);
  });

  it("an invalid template name is a 400, and a body without a name too", async () => {
    const badTemplate = await admin("POST", "/_local/databases", { name: uniqueName("nl_x"), template: "Bad-Template" });
    expect(badTemplate.status).toBe(400);
    expect(badTemplate.json.message).toMatch(/template must match/);
    expect((await admin("POST", "/_local/databases", {})).status).toBe(400);
    expect((await admin("DELETE", "/_local/databases/Bad-Name")).status).toBe(400);
  });

  it("a 63-character name is accepted", async () => {
    const base = uniqueName("nl_long");
    const name = base + "x".repeat(63 - base.length);
    expect((await createViaApi(name)).status).toBe(201);
    expect((await admin("DELETE", `/_local/databases/${name}`)).status).toBe(204);
  });

  it("DELETE drops the database: later queries get 3D000", async () => {
    const name = uniqueName("nl_drop");
    await createViaApi(name);
    const doomed = neon(local.connectionString(name));
    await doomed`CREATE TABLE t (id int)`;
    expect(await admin("DELETE", `/_local/databases/${name}`)).toStrictEqual({ status: 204, json: undefined });
    expect(await local.backend.hasDatabase(name)).toBe(false);
    expect((await dbError(doomed`SELECT 1 AS x`)).code).toBe("3D000");
    // The name is free again, for an empty database.
    expect((await createViaApi(name)).status).toBe(201);
    expect(await doomed`SELECT to_regclass('t') AS t`).toStrictEqual([{ t: null }]);
  });

  it("listDatabases finds databases by prefix", async () => {
    const prefix = uniqueName("nl_list");
    await createViaApi(`${prefix}_b`);
    await createViaApi(`${prefix}_a`);
    expect(await local.backend.listDatabases(prefix)).toStrictEqual([`${prefix}_a`, `${prefix}_b`]);
  });
});

describe("sessions are reset after every request, as Neon's pooler does", () => {
  /** The session advisory locks held in this database, by anyone. */
  const advisoryLocks = async (): Promise<number> =>
    (await sql`SELECT count(*)::int AS n FROM pg_locks
      WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)[0]!.n as number;

  it("a SET is gone in the next request; startup settings (TimeZone UTC) come back", async () => {
    const [{ path } = {}] = await sql`SELECT current_setting('search_path') AS path`;
    await sql`SET statement_timeout = '4321ms'`;
    await sql.query("SET TimeZone = 'America/Argentina/Buenos_Aires'");
    await sql.query("SET search_path = pg_catalog");
    expect(await sql`SELECT current_setting('statement_timeout') AS timeout, current_setting('TimeZone') AS tz,
      current_setting('search_path') AS path`).toStrictEqual([{ timeout: "0", tz: "UTC", path }]);
    expect(path).not.toBe("pg_catalog");
  });

  it("set_config(..., false) is gone in the next request, a custom setting too", async () => {
    await sql`SELECT set_config('work_mem', '7MB', false), set_config('app.user_id', '42', false)`;
    const [row] = await sql`SELECT current_setting('work_mem') AS mem, current_setting('app.user_id', true) AS uid`;
    expect(row!.mem).not.toBe("7MB");
    expect(row!.uid ?? "").toBe("");
  });

  it("a SET inside a batch or after a lone BEGIN is gone afterwards", async () => {
    const results = await sql.transaction([sql`SET statement_timeout = '1234ms'`, sql`SHOW statement_timeout`]);
    expect(results[1]).toStrictEqual([{ statement_timeout: "1234ms" }]);
    expect(await sql`SHOW statement_timeout`).toStrictEqual([{ statement_timeout: "0" }]);
    await sql`BEGIN`;
    await sql`SET statement_timeout = '5678ms'`;
    expect(await sql`SHOW statement_timeout`).toStrictEqual([{ statement_timeout: "0" }]);
  });

  it("a temp table is gone in the next request, and can be created again", async () => {
    await sql`CREATE TEMP TABLE scratch (id int)`;
    expect(await sql`SELECT to_regclass('pg_temp.scratch') AS t`).toStrictEqual([{ t: null }]);
    expect((await dbError(sql`SELECT * FROM scratch`)).code).toBe("42P01");
    const [, rows] = await sql.transaction([
      sql`CREATE TEMP TABLE scratch (id int)`,
      sql`SELECT to_regclass('pg_temp.scratch') IS NOT NULL AS t`,
    ]);
    expect(rows).toStrictEqual([{ t: true }]);
    expect(await sql`SELECT to_regclass('pg_temp.scratch') AS t`).toStrictEqual([{ t: null }]);
  });

  it("a PREPARE is gone in the next request", async () => {
    await sql`PREPARE stmt_kept AS SELECT 1 AS one`;
    expect(await sql`SELECT count(*)::int AS n FROM pg_prepared_statements`).toStrictEqual([{ n: 0 }]);
    expect((await dbError(sql`EXECUTE stmt_kept`)).code).toBe("26000");
  });

  it("no session advisory lock is left over, from a single query or a batch", async () => {
    expect(await advisoryLocks()).toBe(0);
    await sql`SELECT pg_advisory_lock(8001)`;
    expect(await advisoryLocks()).toBe(0);
    await sql.transaction([sql`SELECT pg_advisory_lock(8002)`, sql`SELECT pg_advisory_lock(8002)`]);
    expect(await advisoryLocks()).toBe(0);
    // Taken in one request, it is free for the next, whichever session serves it.
    for (let i = 0; i < 4; i++) {
      const [first, second] = await Promise.all([
        sql`SELECT pg_try_advisory_lock(8001) AS ok, pg_sleep(0.01)`,
        sql`SELECT pg_sleep(0.05), pg_try_advisory_lock(8004) AS ok`,
      ]);
      expect([first[0]!.ok, second[0]!.ok]).toStrictEqual([true, true]);
    }
    expect(await sql`SELECT pg_try_advisory_lock(8001) AND pg_try_advisory_lock(8004) AS ok`).toStrictEqual([{ ok: true }]);
    expect(await advisoryLocks()).toBe(0);
  });

  it("a cursor WITH HOLD is gone in the next request", async () => {
    await sql.transaction([sql`DECLARE held CURSOR WITH HOLD FOR SELECT 1`]);
    expect(await sql`SELECT count(*)::int AS n FROM pg_cursors WHERE name = 'held'`).toStrictEqual([{ n: 0 }]);
  });

  it("the reset also follows a failed request", async () => {
    await dbError(sql.transaction([sql`SELECT pg_advisory_lock(8003)`, sql`SELECT 1 / 0 AS x`]));
    await dbError(sql.transaction([sql`CREATE TEMP TABLE t_failed (id int)`, sql`SELECT 1 / 0 AS x`]));
    expect(await advisoryLocks()).toBe(0);
    expect(await sql`SELECT to_regclass('pg_temp.t_failed') AS t`).toStrictEqual([{ t: null }]);
  });
});

describe("size limits", () => {
  const small = { maxRequestBytes: 20_000, maxResponseBytes: 20_000 };
  let limited: string;
  let lsql: NeonQueryFunction<false, false>;

  beforeAll(async () => {
    limited = uniqueName("nl_limits");
    created.push(limited);
    const reply = await admin("POST", "/_local/databases", { name: limited, limits: small });
    expect(reply.status).toBe(201);
    lsql = neon(local.connectionString(limited));
    await lsql`CREATE TABLE blobs (id int PRIMARY KEY, body text NOT NULL)`;
  });

  const post = (body: unknown) => postSql(body, { "Neon-Connection-String": local.connectionString(limited) });

  it("the endpoint's default is 64 MB each way", () => {
    expect(DEFAULT_MAX_BYTES).toBe(64 * 1024 * 1024);
    expect(local.limits).toStrictEqual({ maxRequestBytes: DEFAULT_MAX_BYTES, maxResponseBytes: DEFAULT_MAX_BYTES });
  });

  it("a body over the limit is a 413 with every error key, and nothing runs", async () => {
    const reply = await post({ query: "INSERT INTO blobs VALUES (1, $1)", params: ["x".repeat(25_000)] });
    expect(reply.status).toBe(413);
    expect(reply.json.message).toBe("request is too large (max is 20000 bytes)");
    expect(reply.json).toMatchObject({ code: "", severity: "" });
    expectEveryErrorKey(reply.json);
    // The driver does not parse it as a SQL error: no code, the status in the message.
    const error = await dbError(lsql`INSERT INTO blobs VALUES (2, ${"x".repeat(25_000)})`);
    expect(error.message).toMatch(/^Server error \(HTTP status 413\)/);
    expect(error.code).toBeUndefined();
    expect(await lsql`SELECT count(*)::int AS n FROM blobs`).toStrictEqual([{ n: 0 }]);
    // Just under the limit is fine.
    await lsql`INSERT INTO blobs VALUES (3, ${"x".repeat(15_000)})`;
  });

  it("a response over the limit is a 507 with every error key", async () => {
    const reply = await post({ query: "SELECT repeat('y', 25000) AS big", params: [] });
    expect(reply.status).toBe(507);
    expect(reply.json.message).toBe("response is too large (max is 20000 bytes)");
    expectEveryErrorKey(reply.json);
    const error = await dbError(lsql`SELECT repeat('y', 25000) AS big`);
    expect(error.message).toMatch(/^Server error \(HTTP status 507\)/);
    expect(await lsql`SELECT length(repeat('y', 15000)) AS n`).toStrictEqual([{ n: 15000 }]);
  });

  it("a batch's results count together: over the limit is a 507 and the batch rolls back", async () => {
    const error = await dbError(
      lsql.transaction([
        lsql`INSERT INTO blobs VALUES (10, 'kept?')`,
        lsql`SELECT repeat('z', 12000) AS a`,
        lsql`SELECT repeat('z', 12000) AS b`,
      ]),
    );
    expect(error.message).toMatch(/^Server error \(HTTP status 507\)/);
    expect(await lsql`SELECT id FROM blobs WHERE id = 10`).toStrictEqual([]);
    // Each alone fits.
    await lsql.transaction([lsql`INSERT INTO blobs VALUES (10, 'kept')`, lsql`SELECT repeat('z', 12000) AS a`]);
    expect(await lsql`SELECT body FROM blobs WHERE id = 10`).toStrictEqual([{ body: "kept" }]);
  });

  it("other databases keep the endpoint's limits", async () => {
    expect(await sql`SELECT length(repeat('y', 100000)) AS n, repeat('y', 100000) AS big`).toStrictEqual([
      { n: 100_000, big: "y".repeat(100_000) },
    ]);
  });

  it("invalid limits are a 400", async () => {
    for (const limits of [{ maxRequestBytes: 0 }, { maxResponseBytes: "lots" }, { maxRequestBytes: 1.5 }, "small"]) {
      const reply = await admin("POST", "/_local/databases", { name: uniqueName("nl_badlimits"), limits });
      expect(reply.status, JSON.stringify(limits)).toBe(400);
      expect(reply.json.message).toMatch(/limits/);
    }
  });

  it("startNeonLocal takes the limits as options, else from the environment", async () => {
    const saved = process.env.NEON_LOCAL_MAX_RESPONSE_BYTES;
    process.env.NEON_LOCAL_MAX_RESPONSE_BYTES = "3000";
    let other: NeonLocal | undefined;
    try {
      other = await startNeonLocal({ port: 0, databaseUrl: testPostgresUrl(), maxRequestBytes: 2000 });
      expect(other.limits).toStrictEqual({ maxRequestBytes: 2000, maxResponseBytes: 3000 });
      const name = uniqueName("nl_opts");
      await other.backend.createDatabase(name);
      try {
        const endpoint = `${other.url}/sql`;
        const run = (query: string, params: unknown[] = []) =>
          fetch(endpoint, {
            method: "POST",
            headers: { "Neon-Connection-String": other!.connectionString(name), "Neon-Raw-Text-Output": "true" },
            body: JSON.stringify({ query, params }),
          });
        expect((await run("SELECT $1::text AS t", ["x".repeat(2500)])).status).toBe(413);
        expect((await run("SELECT repeat('x', 3500) AS t")).status).toBe(507);
        expect((await run("SELECT repeat('x', 1000) AS t")).status).toBe(200);
      } finally {
        await other.backend.dropDatabase(name);
      }
      process.env.NEON_LOCAL_MAX_RESPONSE_BYTES = "not a number";
      await expect(startNeonLocal({ port: 0 })).rejects.toThrow(/NEON_LOCAL_MAX_RESPONSE_BYTES/);
    } finally {
      if (saved === undefined) delete process.env.NEON_LOCAL_MAX_RESPONSE_BYTES;
      else process.env.NEON_LOCAL_MAX_RESPONSE_BYTES = saved;
      await other?.close();
    }
  });
});

describe("faults (admin API), for tests of a database out of reach", () => {
  let faulty: string;
  let fsql: NeonQueryFunction<false, false>;

  beforeAll(async () => {
    faulty = await createDatabase("nl_fault");
    fsql = neon(local.connectionString(faulty));
    await fsql`CREATE TABLE notes (id int PRIMARY KEY)`;
  });

  const setFault = (mode: unknown, name = faulty) => admin("PUT", `/_local/databases/${name}/fault`, { mode });
  const notes = async () => ((await fsql`SELECT coalesce(array_agg(id ORDER BY id), '{}') AS ids FROM notes`)[0]!.ids as number[]);

  /** Posts one query to the faulty database as the driver does, giving up after `timeoutMs` if given. */
  const rawQuery = (query: string, timeoutMs?: number) =>
    fetch(`${local.url}/sql`, {
      method: "POST",
      headers: { "Neon-Connection-String": local.connectionString(faulty), "Neon-Raw-Text-Output": "true" },
      body: JSON.stringify({ query, params: [] }),
      signal: timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs),
    });

  it("refuse: every request is a 503 and nothing runs, until the fault is cleared", async () => {
    expect(await setFault("refuse")).toStrictEqual({ status: 200, json: { name: faulty, mode: "refuse" } });
    try {
      const error = await dbError(fsql`INSERT INTO notes VALUES (1)`);
      expect(error.message).toMatch(/^Server error \(HTTP status 503\)/);
      expect(error.code).toBeUndefined();
      await dbError(fsql.transaction([fsql`INSERT INTO notes VALUES (2)`]));
      // Other databases are not affected.
      expect(await sql`SELECT 1 AS one`).toStrictEqual([{ one: 1 }]);
    } finally {
      expect((await setFault("none")).status).toBe(200);
    }
    expect(await notes()).toStrictEqual([]);
  });

  it("hang: a request waits until the fault is cleared, then runs", async () => {
    await setFault("hang");
    let settled = false;
    const pending = fsql`INSERT INTO notes VALUES (10) RETURNING id`.finally(() => {
      settled = true;
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).toBe(false);
    } finally {
      await setFault("none");
    }
    expect(await pending).toStrictEqual([{ id: 10 }]);
    expect(await notes()).toStrictEqual([10]);
  });

  it("hang: a client that gives up leaves nothing behind once the fault is cleared", async () => {
    await setFault("hang");
    try {
      await expect(rawQuery("INSERT INTO notes VALUES (11)", 200)).rejects.toThrow();
    } finally {
      await setFault("none");
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await notes()).toStrictEqual([10]);
  });

  it("hang turned into refuse: the held request is answered 503 without running", async () => {
    await setFault("hang");
    const held = rawQuery("INSERT INTO notes VALUES (12)");
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await setFault("refuse");
      expect((await held).status).toBe(503);
    } finally {
      await setFault("none");
    }
    expect(await notes()).toStrictEqual([10]);
  });

  it("fail_after_commit: the request runs and commits, but the client gets a 503", async () => {
    await setFault("fail_after_commit");
    try {
      const error = await dbError(fsql.transaction([fsql`INSERT INTO notes VALUES (20)`, fsql`INSERT INTO notes VALUES (21)`]));
      expect(error.message).toMatch(/^Server error \(HTTP status 503\)/);
      await dbError(fsql`INSERT INTO notes VALUES (22)`);
    } finally {
      await setFault("none");
    }
    expect(await notes()).toStrictEqual([10, 20, 21, 22]);
    // A SQL error is still a SQL error.
    await setFault("fail_after_commit");
    try {
      expect((await dbError(fsql`INSERT INTO notes VALUES (20)`)).code).toBe("23505");
    } finally {
      await setFault("none");
    }
  });

  it("an unknown mode or a bad name is a 400; dropping a database clears its fault", async () => {
    for (const mode of ["down", undefined, 3]) {
      const reply = await setFault(mode);
      expect(reply.status, String(mode)).toBe(400);
      expect(reply.json.message).toMatch(/mode must be one of none, refuse, hang, fail_after_commit/);
    }
    expect((await setFault("refuse", "Bad-Name")).status).toBe(400);
    const doomed = uniqueName("nl_fault_drop");
    await local.backend.createDatabase(doomed);
    await setFault("refuse", doomed);
    expect((await admin("DELETE", `/_local/databases/${doomed}`)).status).toBe(204);
    await local.backend.createDatabase(doomed);
    created.push(doomed);
    expect(await neon(local.connectionString(doomed))`SELECT 1 AS one`).toStrictEqual([{ one: 1 }]);
  });
});
