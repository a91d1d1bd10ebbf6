import { type SQL, sql } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import type { ActorCtx, Ctx } from "../../lib/context";
import { notFound, unauthorized } from "../../lib/errors";
import { type IdempotencyClaim, idempotencyRecordCte, idempotent } from "../../lib/idempotency";
import { type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { INT4_MAX } from "../../lib/text";
import { notBlockedBetween } from "../blocks";
import { friendsOf } from "../graph";
import { notificationCounts, notificationCtes } from "../notifications";
import { accountUsable } from "../users";
import type { CreateTripInput, UpdateTripInput } from "./travel.input";
import { brokenTripRule, notTripOwner, tripRuleError } from "./trips.policy";
import { tripVisibleTo } from "./trips.conditions";
import { type Trip, type TripCardRow, toTrip } from "./trips.schemas";

/** The route an `Idempotency-Key` of a trip create is scoped to. */
export const CREATE_TRIP_SCOPE = "POST /api/trips";

/** Each field of the API, its column in `trips` and the SQL type its parameter is read as. */
const TRIP_COLUMNS = {
  city: { column: "city", type: "varchar" },
  country: { column: "country", type: "varchar" },
  latitude: { column: "latitude", type: "float8" },
  longitude: { column: "longitude", type: "float8" },
  startsOn: { column: "starts_on", type: "date" },
  endsOn: { column: "ends_on", type: "date" },
  note: { column: "note", type: "text" },
  visibility: { column: "visibility", type: "varchar" },
} as const;

type TripField = keyof typeof TRIP_COLUMNS;
const FIELDS = Object.keys(TRIP_COLUMNS) as TripField[];

/**
 * The select list of the row a trip write would leave (`next`), one column per field: the
 * given value, else `base`'s column (the stored trip, for an edit) or a typed NULL (a create).
 */
function nextColumns(input: Partial<Record<TripField, unknown>>, base: SQL | null): SQL {
  return sql.join(
    FIELDS.map((field) => {
      const { column, type } = TRIP_COLUMNS[field];
      const value =
        input[field] !== undefined
          ? sql`${input[field] ?? null}::${sql.raw(type)}`
          : base
            ? sql`${base}.${sql.identifier(column)}`
            : sql`NULL::${sql.raw(type)}`;
      return sql`${value} AS ${sql.identifier(column)}`;
    }),
    sql`, `,
  );
}

/** The select list of a trip card ({@link TripCardRow}) for a `trips` row `trip` and its traveller's users row `traveller`. */
export function tripCardColumns(trip: SQL, traveller: SQL): SQL {
  return sql`${trip}.id, ${trip}.user_id, ${traveller}.username, ${traveller}.name, ${traveller}.profile_image,
    ${trip}.city, ${trip}.country, ${trip}.latitude, ${trip}.longitude, ${trip}.starts_on::text AS starts_on,
    ${trip}.ends_on::text AS ends_on, ${trip}.note, ${trip}.visibility, ${trip}.created_at, ${trip}.updated_at`;
}

/**
 * The `friend_trip` notice of a trip just created (the CTE `created`): to the traveller's
 * friends (usable accounts) who live in its city (`users.city`) or have a trip of their own
 * there overlapping its dates (any of their trips: the notice goes to them alone), unless the
 * trip is private. Blocks and the recipients' preferences are the notification CTEs' own rules.
 */
function friendsThereNotice(travellerId: number): SQL {
  return notificationCtes({
    to: {
      from: sql`(SELECT f.id AS user_id, c.id AS trip_id, c.city, c.starts_on, c.ends_on
        FROM created c CROSS JOIN ${friendsOf(travellerId)} f JOIN users fu ON fu.id = f.id
        WHERE c.visibility <> 'private'
          AND (fu.city = c.city OR EXISTS (SELECT 1 FROM trips own
            WHERE own.user_id = f.id AND own.city = c.city AND own.during && c.during))) nearby`,
    },
    type: "friend_trip",
    actorId: travellerId,
    subjectType: "trip",
    subjectId: sql`recipient.trip_id`,
    data: sql`jsonb_build_object('city', recipient.city, 'startsOn', recipient.starts_on::text, 'endsOn', recipient.ends_on::text)`,
  });
}

type CreateRow = TripCardRow & { broken: number | null; created: number; bumped: number };

/**
 * Publishes a trip, in one statement: the rules between its fields checked on the row as it
 * would be written (trips.policy.ts), the row inserted only when they hold, the traveller's
 * friends there notified (`friend_trip`, not for a private trip), its card answered, and, with
 * an `Idempotency-Key`, the response stored (a repeat replays it, creating and telling nothing).
 */
export async function createTrip(ctx: ActorCtx, input: { trip: CreateTripInput; claim: IdempotencyClaim | null }): Promise<{ trip: Trip; replayed: boolean }> {
  const { db, actor } = ctx;
  const { claim } = input;
  const given = FIELDS.filter((field) => input.trip[field] !== undefined).map((field) => sql.identifier(TRIP_COLUMNS[field].column));
  const create = async (): Promise<Trip> => {
    const { rows } = await db.execute<CreateRow>(sql`
      WITH traveller AS (SELECT u.id, u.username, u.name, u.profile_image FROM users u WHERE u.id = ${actor.id} AND ${accountUsable(sql`u`)}),
      next AS (SELECT ${nextColumns(input.trip, null)}),
      verdict AS (SELECT ${brokenTripRule(sql`n`)} AS broken FROM next n),
      created AS (
        INSERT INTO trips (user_id, ${sql.join(given, sql`, `)})
        SELECT tr.id, ${sql.join(given.map((column) => sql`n.${column}`), sql`, `)}
        FROM next n CROSS JOIN traveller tr CROSS JOIN verdict v
        WHERE v.broken IS NULL
        RETURNING *
      ),
      card AS (SELECT ${tripCardColumns(sql`t`, sql`u`)} FROM created t JOIN traveller u ON u.id = t.user_id),
      ${friendsThereNotice(actor.id)},
      ${idempotencyRecordCte(claim, { status: 201, from: sql`card`, body: sql`to_jsonb(card)` })}
      SELECT (SELECT broken FROM verdict) AS broken, ${notificationCounts()}, card.* FROM (SELECT 1) one LEFT JOIN card ON true`);
    const row = rows[0]!;
    if (row.broken !== null) throw tripRuleError(Number(row.broken));
    if (row.id === null) throw unauthorized();
    ctx.logger.info("trip created", { code: "trip_created", tripId: Number(row.id), notified: Number(row.created) + Number(row.bumped) });
    return toTrip(row);
  };
  const { value, replayed } = await idempotent(ctx, claim, create, (stored) => toTrip(stored.body as TripCardRow));
  return { trip: value, replayed };
}

/** One trip as the viewer may see it (`tripVisibleTo`), or 404. */
export async function getTrip({ db, actor }: Ctx, input: { tripId: number }): Promise<Trip> {
  const viewerId = actor?.id ?? null;
  const { rows } = await db.execute<TripCardRow>(sql`
    SELECT ${tripCardColumns(sql`t`, sql`u`)} FROM trips t JOIN users u ON u.id = t.user_id
    WHERE t.id = ${input.tripId} AND ${tripVisibleTo(viewerId, sql`t`, sql`u`)}`);
  if (!rows[0]) throw notFound("trip");
  return toTrip(rows[0]);
}

type UpdateRow = TripCardRow & { found: boolean; allowed: boolean | null; broken: number | null };

/**
 * Edits a trip (its traveller only), in one statement: the stored row locked, the edit applied
 * to it (`next`) and the rules checked on the result, the row written only when they hold. An
 * empty edit changes nothing. An edit tells no one (a create does). Not visible: 404; visible
 * but not theirs: 403 `not_trip_owner`.
 */
export async function updateTrip(ctx: ActorCtx, input: { tripId: number; changes: UpdateTripInput }): Promise<Trip> {
  const { db, actor } = ctx;
  const set = FIELDS.filter((field) => input.changes[field] !== undefined).map((field) => {
    const column = sql.identifier(TRIP_COLUMNS[field].column);
    return sql`${column} = n.${column}`;
  });
  const write =
    set.length === 0
      ? sql`SELECT o.* FROM old o CROSS JOIN verdict v WHERE v.allowed`
      : sql`UPDATE trips t SET ${sql.join(set, sql`, `)}, updated_at = now()
          FROM next n CROSS JOIN verdict v
          WHERE t.id = n.id AND v.allowed AND v.broken IS NULL
          RETURNING t.*`;
  const { rows } = await db.execute<UpdateRow>(sql`
    WITH old AS (
      SELECT t.* FROM trips t WHERE t.id = ${input.tripId} AND ${tripVisibleTo(actor.id, sql`t`)}
      FOR NO KEY UPDATE
    ),
    next AS (SELECT o.id, ${nextColumns(input.changes, sql`o`)} FROM old o),
    verdict AS (SELECT o.user_id = ${actor.id} AS allowed, ${brokenTripRule(sql`n`)} AS broken FROM old o JOIN next n ON n.id = o.id),
    updated AS (${write}),
    card AS (SELECT ${tripCardColumns(sql`t`, sql`u`)} FROM updated t JOIN users u ON u.id = t.user_id)
    SELECT EXISTS (SELECT 1 FROM old) AS found, v.allowed, v.broken, card.*
    FROM (SELECT 1) one LEFT JOIN verdict v ON true LEFT JOIN card ON true`);
  const row = rows[0]!;
  if (!row.found) throw notFound("trip");
  if (!row.allowed) throw notTripOwner();
  if (row.broken !== null) throw tripRuleError(Number(row.broken));
  ctx.logger.info("trip edited", { code: "trip_edited", tripId: input.tripId, fields: set.length });
  return toTrip(row);
}

/**
 * Deletes a trip (its traveller only), in one statement whose DELETE holds the condition.
 * Deleting what a racing delete already took is done (204). Not visible: 404; visible but not
 * theirs: 403 `not_trip_owner`.
 */
export async function deleteTrip(ctx: ActorCtx, input: { tripId: number }): Promise<void> {
  const { db, actor } = ctx;
  const { rows } = await db.execute<{ found: boolean; allowed: boolean; deleted: boolean }>(sql`
    WITH target AS (SELECT t.id, t.user_id FROM trips t WHERE t.id = ${input.tripId} AND ${tripVisibleTo(actor.id, sql`t`)}),
    deleted AS (DELETE FROM trips t USING target WHERE t.id = target.id AND t.user_id = ${actor.id} RETURNING t.id)
    SELECT EXISTS (SELECT 1 FROM target) AS found, coalesce((SELECT user_id = ${actor.id} FROM target), false) AS allowed,
           EXISTS (SELECT 1 FROM deleted) AS deleted`);
  const row = rows[0]!;
  if (!row.found) throw notFound("trip");
  if (!row.allowed) throw notTripOwner();
  ctx.logger.info("trip deleted", { code: "trip_deleted", tripId: input.tripId, deleted: row.deleted });
}

/** A trip list's keyset: the first day (as `YYYY-MM-DD`) and the id. */
const TripCursor = z.tuple([z.iso.date(), z.number().int().min(1).max(INT4_MAX)]);

type ListRow = TripCardRow & { owner_found?: boolean };

/** Upcoming (not over on `today`): soonest first. Past: latest first. Both by (starts_on, id), on trips_user_idx. */
function period(past: boolean, today: string) {
  return {
    where: past ? sql`t.ends_on < ${today}::date` : sql`t.ends_on >= ${today}::date`,
    order: { by: [sql`t.starts_on`, sql`t.id`], direction: past ? "desc" : "asc", cursor: TripCursor } as const,
  };
}

const byStart = { item: toTrip, key: (row: ListRow) => [row.starts_on, Number(row.id)] as z.infer<typeof TripCursor> };

/**
 * A dancer's trips the viewer may see (`tripVisibleTo`), upcoming (soonest first) or past
 * (`past`: latest first), by keyset over (starts_on, id), in one statement. 404 when the
 * dancer does not exist, their account is not usable, or there is a block either way.
 */
export async function listUserTrips(
  { db, actor, now }: Ctx,
  input: PageRequest & { userId: number; past?: boolean },
): Promise<Page<Trip>> {
  const viewerId = actor?.id ?? null;
  const { where, order } = period(input.past ?? false, now.toISOString().slice(0, 10));
  const own = viewerId === null ? sql`false` : sql`owner.id = ${viewerId}`;
  let found = false;
  const page = await sortedPage(input, order, async (keyset) => {
    const { rows } = await db.execute<ListRow>(sql`
      SELECT owner.id IS NOT NULL AS owner_found, page.*
      FROM (SELECT 1) one
      LEFT JOIN (
        SELECT owner.id FROM users owner
        WHERE owner.id = ${input.userId} AND (${own} OR (${accountUsable(sql`owner`)} AND ${notBlockedBetween(viewerId, sql`owner.id`)}))
      ) owner ON true
      LEFT JOIN LATERAL (
        SELECT ${tripCardColumns(sql`t`, sql`u`)} FROM trips t JOIN users u ON u.id = t.user_id
        WHERE t.user_id = owner.id AND ${where} AND ${tripVisibleTo(viewerId, sql`t`, sql`u`)} AND ${keyset.after}
        ORDER BY ${keyset.order} LIMIT ${keyset.limit}
      ) page ON owner.id IS NOT NULL
      ORDER BY page.starts_on ${input.past ? sql`DESC` : sql`ASC`}, page.id ${input.past ? sql`DESC` : sql`ASC`}`);
    found = rows[0]?.owner_found ?? false;
    return rows.filter((row) => row.id !== null);
  }, byStart);
  if (!found) throw notFound("user");
  return page;
}

/** The caller's own trips, every visibility, upcoming or past as {@link listUserTrips}. */
export async function listMyTrips({ db, actor, now }: ActorCtx, input: PageRequest & { past?: boolean }): Promise<Page<Trip>> {
  const { where, order } = period(input.past ?? false, now.toISOString().slice(0, 10));
  return sortedPage(input, order, async (keyset) => {
    const { rows } = await db.execute<ListRow>(sql`
      SELECT ${tripCardColumns(sql`t`, sql`u`)} FROM trips t JOIN users u ON u.id = t.user_id
      WHERE t.user_id = ${actor.id} AND ${where} AND ${keyset.after}
      ORDER BY ${keyset.order} LIMIT ${keyset.limit}`);
    return rows;
  }, byStart);
}
