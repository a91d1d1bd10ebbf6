import { type SQL, sql } from "drizzle-orm";

/**
 * A fresh ticket code, evaluated per row: 32 lower-case hex characters, the first 128 bits of
 * the SHA-256 of two random UUIDs. `gen_random_uuid()` draws its 122 random bits from the
 * server's strong random source (pg_strong_random), so the code carries 128 unguessable bits
 * without the pgcrypto extension, and the statement that makes an RSVP going can issue its
 * ticket (and those of the dancers it promotes) itself.
 */
function ticketCode(): SQL<string> {
  return sql<string>`substr(encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex'), 1, 32)`;
}

/**
 * The CTE `tickets_issued`: a ticket for each dancer in `holders` (a FROM item with a `user_id`
 * column) of the event `eventId` when `paid` holds. A dancer who holds an active ticket keeps it
 * (event_tickets_active_idx: one live ticket per dancer and event), so issuing is idempotent.
 * RETURNING the holder, the code, the status and the creation time as Postgres text.
 */
export function issueTicketsCte(eventId: number | SQL, holders: SQL, paid: SQL): SQL {
  return sql`tickets_issued AS (
    INSERT INTO event_tickets (event_id, user_id, code)
    SELECT ${eventId}, h.user_id, ${ticketCode()} FROM ${holders} h
    WHERE ${paid}
    ORDER BY h.user_id
    ON CONFLICT (event_id, user_id) WHERE status = 'active' DO NOTHING
    RETURNING user_id, code, status, created_at::text AS created_key
  )`;
}
