import { z } from "@hono/zod-openapi";
import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { AppError, conflict, notFound } from "../../lib/errors";
import { type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { auditCte, auditRow } from "../audit";
import { forgetFlags } from "./flags.cache";
import type { FlagRule } from "./flags.evaluate";
import { cityKey, type CreateFlagInput, type Flag, FLAG_KEY_PATTERN, type UpdateFlagInput } from "./flags.schemas";

const OBJECT_TYPE = "feature_flag";

type FlagRow = {
  id: number;
  key: string;
  description: string | null;
  enabled: boolean;
  rollout_percentage: number;
  allow_user_ids: number[];
  deny_user_ids: number[];
  min_level: number | null;
  cities: string[];
  created_by: number | null;
  updated_by: number | null;
  created_at: string | Date;
  updated_at: string | Date;
  version: string;
};

/**
 * A flag's version: its `updated_at` in microseconds since the epoch. Every edit moves
 * `updated_at` strictly forward ({@link nextUpdatedAt}), so two edits never share one.
 */
const versionOf = (row: SQL) => sql`(extract(epoch FROM ${row}.updated_at) * 1000000)::bigint::text`;

/** A row's columns as {@link FlagRow} reads them (arrays as JSON, so the driver needs no array parsing). */
const flagColumns = (row: SQL) => sql`${row}.id, ${row}.key, ${row}.description, ${row}.enabled, ${row}.rollout_percentage,
  to_json(${row}.allow_user_ids) AS allow_user_ids, to_json(${row}.deny_user_ids) AS deny_user_ids, ${row}.min_level,
  to_json(${row}.cities) AS cities, ${row}.created_by, ${row}.updated_by, ${row}.created_at, ${row}.updated_at,
  ${versionOf(row)} AS version`;

/** Now, or a microsecond after the row's last edit if the clock says otherwise: versions only grow. */
const nextUpdatedAt = (old: SQL) => sql`GREATEST(now(), ${old}.updated_at + interval '1 microsecond')`;

const intArray = (ids: readonly number[]) => sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::int)::int[]`;
const textArray = (values: readonly string[]) => sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))::text[]`;

/**
 * The listed ids that name no dancer, as one int[] (NULL when all do): lists are checked once,
 * when written; a dancer deleted later stays listed, harmlessly (ids are never reused).
 */
const unknownUsers = (ids: readonly number[]) =>
  sql`(SELECT array_agg(l.id ORDER BY l.id) FROM unnest(${intArray(ids)}) AS l(id)
       WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = l.id))`;

function toFlag(row: FlagRow): Flag {
  return {
    id: Number(row.id),
    key: row.key,
    description: row.description,
    enabled: row.enabled,
    rolloutPercentage: Number(row.rollout_percentage),
    allowUserIds: row.allow_user_ids,
    denyUserIds: row.deny_user_ids,
    minLevel: row.min_level === null ? null : Number(row.min_level),
    cities: row.cities,
    createdBy: row.created_by,
    updatedBy: row.updated_by,
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
    version: String(row.version),
  };
}

function unknownUsersError(ids: number[]): AppError {
  return new AppError(400, "unknown_users", `No dancer has the id${ids.length > 1 ? "s" : ""} ${ids.join(", ")}.`, {
    errors: [{ path: "body", message: `Unknown user ids: ${ids.join(", ")}` }],
  });
}

const FlagCursor = z.tuple([z.string().max(64).regex(FLAG_KEY_PATTERN), z.number().int().min(1).max(2_147_483_647)]);

/**
 * The flags by key in byte order (`COLLATE "C"`: keys are ASCII, and a locale's collation would
 * skip the punctuation), by keyset; the id only completes the cursor. A few hundred rows at most.
 */
export async function listFlags({ db }: Ctx, page: PageRequest): Promise<Page<Flag>> {
  return sortedPage(
    page,
    { by: [sql`f.key COLLATE "C"`, sql`f.id`], direction: "asc", cursor: FlagCursor },
    async (keyset) =>
      (
        await db.execute<FlagRow>(sql`
          SELECT ${flagColumns(sql`f`)} FROM feature_flags f
          WHERE ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit}`)
      ).rows,
    { item: toFlag, key: (row) => [row.key, Number(row.id)] },
  );
}

export async function getFlag({ db }: Ctx, id: number): Promise<Flag> {
  const { rows } = await db.execute<FlagRow>(sql`SELECT ${flagColumns(sql`f`)} FROM feature_flags f WHERE f.id = ${id}`);
  if (!rows[0]) throw notFound("flag");
  return toFlag(rows[0]);
}

/**
 * Creates a flag and its audit row in one statement. The listed users must exist (400
 * `unknown_users`, nothing written); a taken key is a 409 (racing creates of one key: one wins,
 * the others wait on the unique key and find it taken).
 */
export async function createFlag(ctx: ActorCtx, input: CreateFlagInput): Promise<Flag> {
  const { db, actor } = ctx;
  const { rows } = await db.execute<{ unknown_users: number[] | null; flag: FlagRow | null }>(sql`
    WITH missing AS (SELECT ${unknownUsers([...input.allowUserIds, ...input.denyUserIds])} AS ids),
    created AS (
      INSERT INTO feature_flags (key, description, enabled, rollout_percentage, allow_user_ids, deny_user_ids,
                                 min_level, cities, created_by, updated_by)
      SELECT ${input.key}, ${input.description ?? null}, ${input.enabled}, ${input.rolloutPercentage},
             ${intArray(input.allowUserIds)}, ${intArray(input.denyUserIds)}, ${input.minLevel ?? null}::smallint,
             ${textArray(input.cities)}, ${actor.id}, ${actor.id}
      FROM missing WHERE missing.ids IS NULL
      ON CONFLICT (key) DO NOTHING
      RETURNING *
    ),
    ${auditCte({
      actorId: actor.id,
      action: "flag.create",
      objectType: OBJECT_TYPE,
      from: sql`created`,
      objectId: sql`created.id`,
      after: auditRow(sql`created`),
    })}
    SELECT to_json(missing.ids) AS unknown_users,
           (SELECT row_to_json(x) FROM (SELECT ${flagColumns(sql`c`)} FROM created c) x) AS flag
    FROM missing`);
  const row = rows[0]!;
  if (row.unknown_users) throw unknownUsersError(row.unknown_users);
  if (!row.flag) throw conflict("flag_key_taken", `A flag with the key "${input.key}" exists already.`);
  forgetFlags(ctx);
  return toFlag(row.flag);
}

type UpdateOutcome = "not_found" | "version_mismatch" | "unknown_users" | "update";

/**
 * Edits a flag, in one statement: the row is locked first (`old`, FOR UPDATE), so racing edits
 * apply one after the other and each audit row's `before` is the row that edit really replaced.
 * With `versions` (from `If-Match`), a flag at none of them (edited since) is a 412 and nothing is written. An edit
 * that changes nothing writes nothing (no audit row) and answers the flag as it is.
 */
export async function updateFlag(ctx: ActorCtx, id: number, input: UpdateFlagInput, versions?: string[]): Promise<Flag> {
  const { db, actor } = ctx;
  /** The new value of a column, or the old one where the edit leaves it out. */
  const keep = (value: unknown, column: string, given: SQL) => (value === undefined ? sql`old.${sql.identifier(column)}` : given);
  const wanted = sql`
    SELECT ${keep(input.description, "description", sql`${input.description ?? null}::text`)} AS description,
           ${keep(input.enabled, "enabled", sql`${input.enabled ?? null}::boolean`)} AS enabled,
           ${keep(input.rolloutPercentage, "rollout_percentage", sql`${input.rolloutPercentage ?? null}::smallint`)} AS rollout_percentage,
           ${keep(input.allowUserIds, "allow_user_ids", intArray(input.allowUserIds ?? []))} AS allow_user_ids,
           ${keep(input.denyUserIds, "deny_user_ids", intArray(input.denyUserIds ?? []))} AS deny_user_ids,
           ${keep(input.minLevel, "min_level", sql`${input.minLevel ?? null}::smallint`)} AS min_level,
           ${keep(input.cities, "cities", textArray(input.cities ?? []))} AS cities
    FROM old`;
  const listed = [...(input.allowUserIds ?? []), ...(input.denyUserIds ?? [])];
  const { rows } = await db.execute<{ outcome: UpdateOutcome; unknown_users: number[] | null; flag: FlagRow | null }>(sql`
    WITH old AS (SELECT * FROM feature_flags WHERE id = ${id} FOR UPDATE),
    missing AS (SELECT ${unknownUsers(listed)} AS ids),
    wanted AS (${wanted}),
    decided AS (
      SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM old) THEN 'not_found'
        WHEN ${versions === undefined ? sql`false` : sql`NOT ((SELECT ${versionOf(sql`old`)} FROM old) = ANY (${textArray(versions)}))`} THEN 'version_mismatch'
        WHEN (SELECT ids FROM missing) IS NOT NULL THEN 'unknown_users'
        ELSE 'update' END AS outcome
    ),
    changed AS (
      UPDATE feature_flags f
      SET description = w.description, enabled = w.enabled, rollout_percentage = w.rollout_percentage,
          allow_user_ids = w.allow_user_ids, deny_user_ids = w.deny_user_ids, min_level = w.min_level,
          cities = w.cities, updated_by = ${actor.id}, updated_at = ${nextUpdatedAt(sql`old`)}
      FROM old, wanted w, decided d
      WHERE f.id = old.id AND d.outcome = 'update'
        AND (old.description, old.enabled, old.rollout_percentage, old.allow_user_ids, old.deny_user_ids, old.min_level, old.cities)
            IS DISTINCT FROM (w.description, w.enabled, w.rollout_percentage, w.allow_user_ids, w.deny_user_ids, w.min_level, w.cities)
      RETURNING f.*, ${auditRow(sql`old`)} AS audit_before, ${auditRow(sql`f`)} AS audit_after
    ),
    ${auditCte({
      actorId: actor.id,
      action: "flag.update",
      objectType: OBJECT_TYPE,
      from: sql`changed`,
      objectId: sql`changed.id`,
      before: sql`changed.audit_before`,
      after: sql`changed.audit_after`,
    })}
    SELECT d.outcome, (SELECT to_json(ids) FROM missing) AS unknown_users,
           (SELECT row_to_json(x) FROM (
              SELECT ${flagColumns(sql`c`)} FROM changed c
              UNION ALL SELECT ${flagColumns(sql`o`)} FROM old o WHERE NOT EXISTS (SELECT 1 FROM changed)
            ) x) AS flag
    FROM decided d`);
  const row = rows[0]!;
  switch (row.outcome) {
    case "not_found":
      throw notFound("flag");
    case "version_mismatch":
      throw new AppError(412, "flag_changed", "The flag was edited since you read it; read it again and retry.");
    case "unknown_users":
      throw unknownUsersError(row.unknown_users!);
    default:
      forgetFlags(ctx);
      return toFlag(row.flag!);
  }
}

/** Deletes a flag and records it (the row before), in one statement; an unknown id is a 404 and records nothing. */
export async function deleteFlag(ctx: ActorCtx, id: number): Promise<void> {
  const { db, actor } = ctx;
  const { rows } = await db.execute<{ id: number }>(sql`
    WITH old AS (SELECT * FROM feature_flags WHERE id = ${id} FOR UPDATE),
    gone AS (
      DELETE FROM feature_flags f USING old WHERE f.id = old.id
      RETURNING f.id, ${auditRow(sql`old`)} AS audit_before
    ),
    ${auditCte({
      actorId: actor.id,
      action: "flag.delete",
      objectType: OBJECT_TYPE,
      from: sql`gone`,
      objectId: sql`gone.id`,
      before: sql`gone.audit_before`,
    })}
    SELECT id FROM gone`);
  if (!rows[0]) throw notFound("flag");
  forgetFlags(ctx);
}

type LoadedRow = {
  flags: { key: string; enabled: boolean; rollout: number; allow: number[]; deny: number[]; min_level: number | null; cities: string[] }[];
  city: string | null;
  found: boolean;
};

/**
 * Every flag as evaluation needs it and, for a signed-in caller, their profile city, in one
 * statement: what the per-isolate cache (flags.cache.ts) loads when it is cold.
 */
export async function loadFlagRules({ db }: Ctx, userId: number | null): Promise<{ rules: FlagRule[]; city?: string | null }> {
  const { rows } = await db.execute<LoadedRow>(sql`
    SELECT coalesce((
             SELECT json_agg(json_build_object('key', f.key, 'enabled', f.enabled, 'rollout', f.rollout_percentage,
                      'allow', f.allow_user_ids, 'deny', f.deny_user_ids, 'min_level', f.min_level, 'cities', f.cities) ORDER BY f.key)
             FROM feature_flags f), '[]'::json) AS flags,
           (SELECT u.city FROM users u WHERE u.id = ${userId}::int) AS city,
           EXISTS (SELECT 1 FROM users u WHERE u.id = ${userId}::int) AS found`);
  const row = rows[0]!;
  return {
    rules: row.flags.map(toRule),
    ...(userId !== null && row.found ? { city: row.city } : {}),
  };
}

/** A dancer's profile city (null: none, or no such dancer): when the cache does not hold it. */
export async function loadCity({ db }: Ctx, userId: number): Promise<string | null> {
  const { rows } = await db.execute<{ city: string | null }>(sql`SELECT city FROM users WHERE id = ${userId}`);
  return rows[0]?.city ?? null;
}

function toRule(flag: LoadedRow["flags"][number]): FlagRule {
  return {
    key: flag.key,
    enabled: flag.enabled,
    rolloutPercentage: Number(flag.rollout),
    allow: new Set(flag.allow),
    deny: new Set(flag.deny),
    minLevel: flag.min_level === null ? null : Number(flag.min_level),
    cities: new Set(flag.cities.map(cityKey)),
  };
}
