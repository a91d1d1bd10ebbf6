import { sql } from "drizzle-orm";
import type { ActorCtx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { keysetPage, type Page, type PageRequest } from "../../lib/pagination";
import { eventVisibleTo } from "./events.conditions";
import { type Ticket, type TicketRow, toTicket } from "./tickets.schemas";

/** The ticket and event columns {@link toTicket} reads (`t` the ticket, `e` its event). */
const TICKET_COLUMNS = sql`t.id, t.code, t.status, t.created_at::text AS created_key, t.cancelled_at::text AS cancelled_key,
  e.id AS event_id, e.title, e.start_date::text AS start_key, e.end_date::text AS end_key, e.timezone, e.location,
  e.city, e.country, coalesce(e.status, 'published') AS event_status`;

/**
 * The actor's ticket for an event they may see: the active one, else the latest cancelled one
 * (so a dancer sees that their ticket was cancelled). 404 without one, and for an event the
 * actor may not see.
 */
export async function getOwnTicket({ db, actor }: ActorCtx, input: { eventId: number }): Promise<Ticket> {
  const { rows } = await db.execute<TicketRow>(sql`
    SELECT ${TICKET_COLUMNS}
    FROM event_tickets t JOIN events e ON e.id = t.event_id
    WHERE t.event_id = ${input.eventId} AND t.user_id = ${actor.id} AND ${eventVisibleTo(actor.id, sql`e`)}
    ORDER BY t.status = 'active' DESC, t.created_at DESC, t.id DESC
    LIMIT 1`);
  const row = rows[0];
  if (!row) throw notFound("ticket");
  return toTicket(row);
}

/**
 * The actor's tickets, newest first by keyset over (created_at, id), active and cancelled, each
 * with its event; tickets of events the actor may no longer see (a block, moderation) are left out.
 */
export async function listOwnTickets({ db, actor }: ActorCtx, page: PageRequest): Promise<Page<Ticket>> {
  return keysetPage(
    page,
    { time: sql`t.created_at`, id: sql`t.id` },
    async (keyset) => {
      const { rows } = await db.execute<TicketRow>(sql`
        SELECT ${TICKET_COLUMNS}
        FROM event_tickets t JOIN events e ON e.id = t.event_id
        WHERE t.user_id = ${actor.id} AND ${eventVisibleTo(actor.id, sql`e`)} AND ${keyset.after}
        ORDER BY ${keyset.order}
        LIMIT ${keyset.limit}`);
      return rows;
    },
    { item: toTicket, key: (row) => [row.created_key, Number(row.id)] },
  );
}
