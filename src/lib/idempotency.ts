import { z } from "@hono/zod-openapi";
import { type SQL, sql } from "drizzle-orm";
import type { Ctx } from "./context";
import { sha256Hex } from "./crypto";
import { PG, pgError } from "./db";
import { AppError } from "./errors";

/**
 * Idempotent creates (API.md: "Creates accept an optional `Idempotency-Key` header: a repeat
 * returns the first result"). How a create route takes part:
 *
 * 1. declare the header: `request: { headers: IdempotencyKeyHeader, ... }` (a key that is not
 *    1-255 printable ASCII characters is a 400);
 * 2. make a claim from the key, the route and the validated body ({@link idempotencyClaim});
 * 3. fold {@link idempotencyRecordCte} into the create's own statement: it stores the response
 *    built in SQL from the created row, with NO `ON CONFLICT`, so a repeat (or a concurrent
 *    twin, which waits on the primary key until the first commits) fails on the key's primary
 *    key and its whole statement rolls back, the created row included;
 * 4. run the create through {@link idempotent}, which catches that failure and reads the stored
 *    response (a second round trip, on a repeat only): the same body gets the first response
 *    again (`Idempotent-Replayed: true`), another body is a 422 `idempotency_key_reused`. A key
 *    older than {@link IDEMPOTENCY_TTL_HOURS} is deleted (conditionally, in SQL) and the create
 *    is run once more.
 * 5. a create that answers 409 because the thing exists already (a share, a report: one per
 *    dancer and target) may be answering a repeat whose first request made that thing, before
 *    the key's own insert was reached (the create's conflict fires first, or its `ON CONFLICT DO
 *    NOTHING` leaves nothing to record): {@link idempotent} then looks up the key too, and
 *    replays (or 422s) when it is stored; without a stored key the 409 stands.
 *
 * Keys are per user and per route (`scope`), kept a day; the cleanup job deletes expired ones.
 *
 * @example
 * // routes: request: { headers: IdempotencyKeyHeader, body: jsonBody(CreatePostBody) }
 * const claim = await idempotencyClaim(actor.id, "POST /api/posts", c.req.valid("header")["idempotency-key"], body);
 * const { value, replayed } = await idempotent(ctx, claim,
 *   async () => toPost(await insertPost(sql`... , ${idempotencyRecordCte(claim, { status: 201, from: sql`card`, body: sql`to_jsonb(card)` })} SELECT ...`)),
 *   (stored) => toPost(stored.body as PostCardRow));
 * if (replayed) c.header(IDEMPOTENT_REPLAYED, "true");
 */

export const IDEMPOTENCY_TTL_HOURS = 24;
/** The response header saying a response is the stored first one. */
export const IDEMPOTENT_REPLAYED = "Idempotent-Replayed";
const PRIMARY_KEY = "idempotency_keys_user_id_scope_key_pk";

/** The optional `Idempotency-Key` request header (Hono reads header names lower-cased). */
export const IdempotencyKeyHeader = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x20-\x7e]+$/, "Printable ASCII characters only")
    .optional()
    .openapi({
      param: { name: "idempotency-key", in: "header" },
      description: "Any unique string (1-255 printable ASCII): a repeat within 24 hours returns the first response",
      example: "8e0f6f1c-3c0a-4d55-9a43-6f0d3c2b9a10",
    }),
});

/** Who sent which key to which route, and a fingerprint of what they sent. */
export interface IdempotencyClaim {
  userId: number;
  scope: string;
  key: string;
  requestHash: string;
}

/** JSON with object keys sorted at every level: the same body always serialises the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** The claim of a create request, or null when it came without a key. */
export async function idempotencyClaim(
  userId: number,
  scope: string,
  key: string | undefined,
  body: unknown,
): Promise<IdempotencyClaim | null> {
  if (key === undefined) return null;
  return { userId, scope, key, requestHash: await sha256Hex(canonicalJson(body)) };
}

/**
 * The CTE `idempotency_key` that stores a create's response, for the create's own `WITH`:
 * one row per row of `from` (the created row, so a create that made nothing stores nothing),
 * with `status` (a number, or SQL over `from` for a create answering one of two) and `body`
 * (jsonb SQL over `from`). Without a claim it writes nothing.
 */
export function idempotencyRecordCte(claim: IdempotencyClaim | null, response: { status: number | SQL; from: SQL; body: SQL }): SQL {
  if (!claim) return sql`idempotency_key AS (SELECT 1 WHERE false)`;
  return sql`idempotency_key AS (
    INSERT INTO idempotency_keys (user_id, scope, key, request_hash, status, response, expires_at)
    SELECT ${claim.userId}, ${claim.scope}, ${claim.key}, ${claim.requestHash}, ${response.status}, ${response.body},
           now() + make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})
    FROM ${response.from}
    RETURNING 1
  )`;
}

/** A stored first response. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

function isKeyTaken(error: unknown): boolean {
  const pg = pgError(error);
  return pg?.code === PG.uniqueViolation && pg.constraint === PRIMARY_KEY;
}

/** The claim's stored response, if live; an expired one is deleted (in the same statement) and reads as none. */
async function storedResponse({ db }: Ctx, claim: IdempotencyClaim): Promise<(StoredResponse & { requestHash: string }) | null> {
  const where = sql`user_id = ${claim.userId} AND scope = ${claim.scope} AND key = ${claim.key}`;
  const { rows } = await db.execute<{ request_hash: string; status: number; response: unknown; expired: boolean }>(sql`
    WITH purged AS (DELETE FROM idempotency_keys WHERE ${where} AND expires_at <= now())
    SELECT request_hash, status, response, expires_at <= now() AS expired FROM idempotency_keys WHERE ${where}`);
  const row = rows[0];
  if (!row || row.expired) return null;
  return { requestHash: row.request_hash, status: Number(row.status), body: row.response };
}

/**
 * Runs a create that records its response with {@link idempotencyRecordCte}; when the key was
 * used before (the key's insert failed, or the create answered 409), answers the stored
 * response instead (`replayed`), or 422 for another body.
 */
export async function idempotent<T>(
  ctx: Ctx,
  claim: IdempotencyClaim | null,
  create: () => Promise<T>,
  replay: (stored: StoredResponse) => T,
): Promise<{ value: T; replayed: boolean }> {
  if (!claim) return { value: await create(), replayed: false };
  // Twice at most: a key found expired is deleted and the create tried once more.
  for (let attempt = 0; attempt < 2; attempt++) {
    let conflict: AppError | null = null;
    try {
      return { value: await create(), replayed: false };
    } catch (error) {
      if (error instanceof AppError && error.status === 409) conflict = error;
      else if (!isKeyTaken(error)) throw error;
    }
    const stored = await storedResponse(ctx, claim);
    // The thing exists, but not made under this key (or that key expired): the conflict stands.
    if (conflict && !stored) throw conflict;
    if (stored) {
      if (stored.requestHash !== claim.requestHash) {
        throw new AppError(422, "idempotency_key_reused", "This Idempotency-Key was used with another request body.");
      }
      ctx.logger.info("idempotent replay", { code: "idempotent_replay", userId: claim.userId, scope: claim.scope });
      return { value: replay(stored), replayed: true };
    }
  }
  throw new AppError(503, "retry_later", "The request conflicted with another; retry it.", { headers: { "Retry-After": "1" } });
}
