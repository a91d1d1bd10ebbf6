import { sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { AppError, notFound } from "../../lib/errors";
import { type Page, type PageRequest, sortedPage, TimeIdCursor } from "../../lib/pagination";
import { notBlockedBetween } from "../blocks";
import { notificationCtes } from "../notifications";
import { accountUsable } from "../users";
import { eventVisibleTo } from "./events.conditions";
import { eventWriteError, organizesEvent } from "./events.policy";
import { type CoOrganizer, type CoOrganizerRow, toCoOrganizer } from "./co-organizers.schemas";

/** A dancer the organizer cannot name: unknown, suspended, deactivated or blocked either way (one answer for all). */
const unknownUser = () =>
  new AppError(400, "unknown_user", "No such dancer.", { errors: [{ path: "body.userId", message: "No such dancer" }] });

const organizerAlready = () =>
  new AppError(400, "already_organizer", "The organizer organizes the event already.", {
    errors: [{ path: "body.userId", message: "The event's organizer" }],
  });

/**
 * The event's co-organizers, first named first, by keyset over (named at, user id), in one
 * statement: whoever may see the event sees who organizes it (404 otherwise). Accounts
 * unusable or blocked either way with the viewer are left out.
 */
export async function listCoOrganizers({ db, actor }: Ctx, input: PageRequest & { eventId: number }): Promise<Page<CoOrganizer>> {
  const viewerId = actor?.id ?? null;
  let found = false;
  const page = await sortedPage(
    input,
    { by: [sql`co.created_at`, sql`co.user_id`], direction: "asc", cursor: TimeIdCursor },
    async (keyset) => {
      const { rows } = await db.execute<CoOrganizerRow & { event_found: boolean; added_key: string }>(sql`
        SELECT ev.id IS NOT NULL AS event_found, page.*
        FROM (SELECT 1) one
        LEFT JOIN (SELECT e.id FROM events e WHERE e.id = ${input.eventId} AND ${eventVisibleTo(viewerId, sql`e`)}) ev ON true
        LEFT JOIN LATERAL (
          SELECT u.id, u.username, u.name, u.profile_image, co.created_at AS added_at, co.created_at::text AS added_key
          FROM event_co_organizers co JOIN users u ON u.id = co.user_id
          WHERE co.event_id = ev.id AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(viewerId, sql`u.id`)} AND ${keyset.after}
          ORDER BY ${keyset.order}
          LIMIT ${keyset.limit}
        ) page ON ev.id IS NOT NULL
        ORDER BY page.added_at, page.id`);
      found = rows[0]?.event_found ?? false;
      return rows.filter((row) => row.id !== null);
    },
    { item: toCoOrganizer, key: (row) => [row.added_key, Number(row.id)] as TimeIdCursor },
  );
  if (!found) throw notFound("event");
  return page;
}

type AddRow = CoOrganizerRow & {
  found: boolean;
  allowed: boolean | null;
  user_found: boolean | null;
  is_organizer: boolean | null;
  created: boolean;
};

/**
 * The organizer names a co-organizer, in one statement: the row (a repeat changes nothing:
 * `created` false), and for a new one an `event_co_organizer` notification to the dancer. Co-
 * organizers may edit and cancel the event, check dancers in and see its analytics, but not
 * delete it nor name others. The dancer must be a usable account with no block either way with
 * the organizer (400 `unknown_user` otherwise, whichever it is). Not visible: 404; visible but
 * not the organizer: 403 `not_event_organizer`.
 */
export async function addCoOrganizer(
  { db, actor, logger }: ActorCtx,
  input: { eventId: number; userId: number },
): Promise<{ coOrganizer: CoOrganizer; created: boolean }> {
  const { rows } = await db.execute<AddRow>(sql`
    WITH ev AS (
      SELECT e.id, e.user_id, e.title FROM events e WHERE e.id = ${input.eventId} AND ${eventVisibleTo(actor.id, sql`e`)}
    ),
    candidate AS (
      SELECT u.id, u.username, u.name, u.profile_image FROM users u
      WHERE u.id = ${input.userId} AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(actor.id, sql`u.id`)}
    ),
    verdict AS (
      SELECT ev.id, ${organizesEvent(actor.id, sql`ev`)} AS allowed, c.id IS NOT NULL AS user_found,
             coalesce(c.id = ev.user_id, false) AS is_organizer
      FROM ev LEFT JOIN candidate c ON true
    ),
    added AS (
      INSERT INTO event_co_organizers (event_id, user_id, added_by)
      SELECT v.id, ${input.userId}, ${actor.id} FROM verdict v WHERE v.allowed AND v.user_found AND NOT v.is_organizer
      ON CONFLICT (event_id, user_id) DO NOTHING
      RETURNING event_id, user_id, created_at
    ),
    ${notificationCtes({
      to: { from: sql`(SELECT a.user_id, a.event_id, ev.title FROM added a JOIN ev ON ev.id = a.event_id) named` },
      type: "event_co_organizer",
      actorId: actor.id,
      subjectType: "event",
      subjectId: sql`recipient.event_id`,
      data: sql`jsonb_build_object('eventId', recipient.event_id, 'eventTitle', recipient.title)`,
    })}
    SELECT EXISTS (SELECT 1 FROM ev) AS found, v.allowed, v.user_found, v.is_organizer,
           EXISTS (SELECT 1 FROM added) AS created, c.id, c.username, c.name, c.profile_image,
           coalesce((SELECT created_at FROM added),
                    (SELECT co.created_at FROM event_co_organizers co WHERE co.event_id = v.id AND co.user_id = c.id),
                    now()::timestamp) AS added_at
    FROM (SELECT 1) one LEFT JOIN verdict v ON true LEFT JOIN candidate c ON true`);
  const row = rows[0]!;
  const refused = eventWriteError({ found: row.found, allowed: row.allowed === true }, "co_organizers");
  if (refused) throw refused;
  if (!row.user_found) throw unknownUser();
  if (row.is_organizer) throw organizerAlready();
  logger.info("co-organizer named", { code: "event_co_organizer_added", eventId: input.eventId, userId: input.userId, created: row.created });
  return { coOrganizer: toCoOrganizer(row), created: row.created };
}

/**
 * Removes a co-organizer, in one statement: the organizer removes anyone; a co-organizer may
 * step down themselves (and no one else). Idempotent: removing who is not one changes nothing.
 * Not visible: 404; anyone else: 403 `not_event_organizer`.
 */
export async function removeCoOrganizer({ db, actor, logger }: ActorCtx, input: { eventId: number; userId: number }): Promise<void> {
  const allowed = sql`(${organizesEvent(actor.id, sql`ev`)} OR ${input.userId}::int = ${actor.id}::int)`;
  const { rows } = await db.execute<{ found: boolean; allowed: boolean | null; removed: boolean }>(sql`
    WITH ev AS (SELECT e.id, e.user_id FROM events e WHERE e.id = ${input.eventId} AND ${eventVisibleTo(actor.id, sql`e`)}),
    removed AS (
      DELETE FROM event_co_organizers co USING ev
      WHERE co.event_id = ev.id AND co.user_id = ${input.userId} AND ${allowed}
      RETURNING co.user_id
    )
    SELECT EXISTS (SELECT 1 FROM ev) AS found, (SELECT ${allowed} FROM ev) AS allowed, EXISTS (SELECT 1 FROM removed) AS removed`);
  const row = rows[0]!;
  const refused = eventWriteError({ found: row.found, allowed: row.allowed === true }, "co_organizers");
  if (refused) throw refused;
  logger.info("co-organizer removed", { code: "event_co_organizer_removed", eventId: input.eventId, userId: input.userId, removed: row.removed });
}
