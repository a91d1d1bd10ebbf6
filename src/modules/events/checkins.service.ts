import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { keysetPage, type Page, type PageRequest } from "../../lib/pagination";
import { notBlockedBetween } from "../blocks";
import { friendshipActivityCtes } from "../graph";
import { accountUsable } from "../users";
import { at, contributionVisibleTo, visibleEventCte } from "./checkins.conditions";
import { CHECK_IN_OPENS_HOURS, CHECK_IN_REFUSALS, notEventOrganizer } from "./checkins.policy";
import { type CheckIn, type CheckInBody, type CheckInRow, toCheckIn } from "./checkins.schemas";

/**
 * Serializes the check-ins of one event, for the rest of the transaction: the first statement
 * of a `db.batch`, so the check-in statement's snapshot (read committed) is taken after the
 * lock and sees every check-in committed before it. Two friends checked in at two doors at
 * the same moment thus see each other, and their pair is recorded exactly once.
 */
function checkInLock(eventId: number): SQL {
  return sql`SELECT pg_advisory_xact_lock(hashtextextended('event_check_in:' || ${eventId}::int, 0))`;
}

/** A check-in's columns (an event_attendees row aliased `a`, its dancer `u`), for {@link toCheckIn}. */
const checkInColumns = sql`a.event_id, a.user_id, u.username, u.name, u.profile_image, a.method, a.ticket_id,
  a.checked_in_by, a.checked_in_at::text AS checked_in_key`;

type Outcome = "ok" | "not_found" | "not_organizer" | "user_not_found" | keyof typeof CHECK_IN_REFUSALS;

/**
 * The dancer to check in: by user id, any usable account with no block between them and the
 * organizer checking them in (with their active ticket for the event, if any); by ticket code,
 * the holder of the event's ticket with that code. A code is matched as given, upper-cased and
 * lower-cased (three probes of the unique code index, the exact one first), so a code typed in
 * either case is found. A body naming neither, or both, names no one.
 */
function dancerCtes(me: number, eventId: number, input: CheckInBody): SQL {
  const dancer = (id: SQL, ticketId: SQL) => sql`dancer AS (
    SELECT u.id, ${ticketId} AS ticket_id FROM users u
    WHERE u.id = ${id} AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(me, sql`u.id`)}
  )`;
  const noTicket = sql`ticket AS (SELECT NULL::int AS id, NULL::int AS user_id, NULL::varchar AS status WHERE false)`;
  const { userId, ticketCode: code } = input;
  if ((userId === undefined) === (code === undefined)) return sql`${noTicket}, ${dancer(sql`NULL::int`, sql`NULL::int`)}`;
  if (code === undefined) {
    return sql`${noTicket},
      ${dancer(
        sql`${userId}::int`,
        sql`(SELECT t.id FROM event_tickets t WHERE t.event_id = ${eventId} AND t.user_id = u.id AND t.status = 'active')`,
      )}`;
  }
  return sql`ticket AS (
      SELECT t.id, t.user_id, t.status FROM event_tickets t
      WHERE t.code IN (${code}, ${code.toUpperCase()}, ${code.toLowerCase()}) AND t.event_id = (SELECT id FROM event)
      ORDER BY t.code = ${code} DESC, t.status = 'active' DESC, t.id DESC
      LIMIT 1
    ),
    ${dancer(sql`(SELECT user_id FROM ticket WHERE status = 'active')`, sql`(SELECT id FROM ticket)`)}`;
}

/**
 * An organizer (or co-organizer) checks a dancer in, by user id or by ticket code, in one
 * atomic batch: the event's check-in lock, then one statement that writes the event_attendees
 * row (once: a repeat answers the first check-in, `created: false`) and, for a new check-in,
 * `event_attended_together` friendship activities with each friend already checked in (the
 * lock makes every pair meet exactly once, however the check-ins interleave). Refusals, in
 * order: an event the caller may not see (404), not theirs to organize (403), a body naming
 * neither a dancer nor a ticket, or both (400), cancelled or a draft (409), more than {@link CHECK_IN_OPENS_HOURS} hours before its start (409), a code
 * that is no ticket of this event (422) or a cancelled ticket (409), a dancer who is not there
 * for the organizer (unknown, suspended, blocked either way: 404).
 */
export async function checkIn(
  { db, actor, now }: ActorCtx,
  input: { eventId: number } & CheckInBody,
): Promise<{ checkIn: CheckIn; created: boolean }> {
  const me = actor.id;
  const { eventId } = input;
  const byTicket = input.ticketCode !== undefined;
  const namesOne = (input.userId === undefined) !== (input.ticketCode === undefined);
  const [, result] = await db.batch([
    db.execute(checkInLock(eventId)),
    db.execute<CheckInRow & { outcome: Outcome; created: boolean }>(sql`
    WITH ${visibleEventCte(me, eventId, sql`FOR KEY SHARE OF e`)},
    ${dancerCtes(me, eventId, input)},
    verdict AS (
      SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM event) THEN 'not_found'
        WHEN NOT (SELECT manages FROM event) THEN 'not_organizer'
        WHEN NOT ${namesOne}::boolean THEN 'no_dancer'
        WHEN (SELECT status FROM event) = 'cancelled' THEN 'cancelled'
        WHEN (SELECT status FROM event) = 'draft' THEN 'draft'
        WHEN (SELECT start_date FROM event) > ${at(now)} + make_interval(hours => ${CHECK_IN_OPENS_HOURS}) THEN 'not_open'
        WHEN ${byTicket}::boolean AND NOT EXISTS (SELECT 1 FROM ticket) THEN 'invalid_ticket'
        WHEN ${byTicket}::boolean AND NOT EXISTS (SELECT 1 FROM ticket WHERE status = 'active') THEN 'ticket_cancelled'
        WHEN NOT EXISTS (SELECT 1 FROM dancer) THEN CASE WHEN ${byTicket}::boolean THEN 'invalid_ticket' ELSE 'user_not_found' END
        ELSE 'ok' END AS outcome
    ),
    inserted AS (
      INSERT INTO event_attendees (event_id, user_id, method, ticket_id, checked_in_by)
      SELECT ${eventId}, d.id, ${byTicket ? "ticket" : "user"}, d.ticket_id, ${me}
      FROM dancer d JOIN verdict v ON v.outcome = 'ok'
      ON CONFLICT (event_id, user_id) DO NOTHING
      RETURNING *
    ),
    together AS (
      SELECT i.user_id, f.friend_id FROM inserted i
      JOIN friendships f ON f.user_id = i.user_id AND f.status = 'active'
      JOIN event_attendees earlier ON earlier.event_id = i.event_id AND earlier.user_id = f.friend_id
    ),
    ${friendshipActivityCtes({ pairs: { from: sql`together` }, type: "event_attended_together", metadata: { eventId } })},
    record AS (
      SELECT i.*, true AS created FROM inserted i
      UNION ALL
      SELECT a.*, false FROM event_attendees a JOIN dancer d ON a.user_id = d.id
      WHERE a.event_id = ${eventId} AND NOT EXISTS (SELECT 1 FROM inserted)
    )
    SELECT v.outcome, a.created, ${checkInColumns}
    FROM verdict v
    LEFT JOIN record a ON true
    LEFT JOIN users u ON u.id = a.user_id`),
  ]);
  const row = result.rows[0]!;
  switch (row.outcome) {
    case "ok":
      return { checkIn: toCheckIn(row), created: row.created };
    case "not_found":
      throw notFound("event");
    case "not_organizer":
      throw notEventOrganizer();
    case "user_not_found":
      throw notFound("user");
    default:
      throw CHECK_IN_REFUSALS[row.outcome]();
  }
}

/**
 * The dancers checked in at an event, latest first, by keyset over (checked_in_at, user_id),
 * for its organizers only (403 for others who can see the event, 404 for whoever cannot), in
 * one statement. Dancers whose accounts are suspended or closed, or with a block between them
 * and the organizer, are left out (the analytics still count them). The event's attendees are
 * read in order from event_attendees_checked_in_idx (event_id, checked_in_at, user_id).
 */
export async function listCheckIns({ db, actor }: ActorCtx, input: { eventId: number } & PageRequest): Promise<Page<CheckIn>> {
  const me = actor.id;
  return keysetPage(
    input,
    { time: sql`a.checked_in_at`, id: sql`a.user_id` },
    async (keyset) => {
      const { rows } = await db.execute<CheckInRow & { manages: boolean }>(sql`
        WITH ${visibleEventCte(me, input.eventId)}
        SELECT event.manages, item.* FROM event
        LEFT JOIN LATERAL (
          SELECT ${checkInColumns}
          FROM event_attendees a JOIN users u ON u.id = a.user_id
          WHERE event.manages AND a.event_id = event.id
            AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(me, sql`u.id`)} AND ${keyset.after}
          ORDER BY ${keyset.order}
          LIMIT ${keyset.limit}
        ) item ON true`);
      if (rows.length === 0) throw notFound("event");
      if (!rows[0]!.manages) throw notEventOrganizer();
      return rows.filter((row) => row.user_id !== null);
    },
    { item: toCheckIn, key: (row) => [row.checked_in_key, Number(row.user_id)] },
  );
}

/**
 * One page of what dancers added to an event (its reviews or photos: `table`, read as `c`
 * joined to its author `u` and selected by `columns`), newest first, by keyset over
 * (created_at, id) (the table's `(event_id, created_at, id)` index), in one statement; anonymous
 * callers read those of events anyone may see. The event must be one the viewer may see (else
 * 404). Items hidden by moderation (except the viewer's own), by suspended or closed accounts,
 * or with a block between the viewer and the author, are left out.
 */
export async function contributionsPage<Row extends { id: number | null; created_key: string }, Item>(
  { db, actor }: Ctx,
  input: { eventId: number } & PageRequest,
  source: { table: SQL; columns: SQL; item: (row: Row) => Item },
): Promise<Page<Item>> {
  const viewerId = actor?.id ?? null;
  return keysetPage(
    input,
    { time: sql`c.created_at`, id: sql`c.id` },
    async (keyset) => {
      const { rows } = await db.execute<Row & Record<string, unknown>>(sql`
        WITH ${visibleEventCte(viewerId, input.eventId)}
        SELECT item.* FROM event
        LEFT JOIN LATERAL (
          SELECT ${source.columns}
          FROM ${source.table} c JOIN users u ON u.id = c.user_id
          WHERE c.event_id = event.id AND ${contributionVisibleTo(viewerId, sql`c`)} AND ${keyset.after}
          ORDER BY ${keyset.order}
          LIMIT ${keyset.limit}
        ) item ON true`);
      if (rows.length === 0) throw notFound("event");
      return rows.filter((row) => row.id !== null);
    },
    { item: source.item, key: (row) => [row.created_key, Number(row.id)] },
  );
}
