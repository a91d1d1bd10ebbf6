import type { ActorCtx } from "../../lib/context";
import { type Db, PG, pgError } from "../../lib/db";
import { conflict } from "../../lib/errors";
import { rsvpError } from "./rsvps.policy";
import { type DanceRole, type Rsvp, type RsvpRow, toRsvp } from "./rsvps.schemas";
import { lockEventStatement, promoteWaitlistedStatement, type RsvpStatementInput, rsvpStatement } from "./rsvps.statement";

/**
 * A counter CHECK on the event (capacity, a role cap, counts >= 0) refused the write: with the
 * event row locked first this does not happen, but were a counter ever off, the dancer gets a
 * 409 to retry, never a 500, and nothing is written.
 */
function rethrowCounterCheck(error: unknown): never {
  const pg = pgError(error);
  if (pg?.code === PG.checkViolation && pg.constraint?.startsWith("events_")) {
    throw conflict("rsvp_conflict", "The event's seats changed while answering; try again.");
  }
  throw error;
}

/** Runs the RSVP statement after the event row's lock, in one batch (one round trip, one transaction). */
async function runRsvp({ db, logger }: ActorCtx, input: RsvpStatementInput): Promise<RsvpRow> {
  const [, result] = await db
    .batch([db.execute(lockEventStatement(input.eventId)), db.execute<RsvpRow>(rsvpStatement(input))])
    .catch(rethrowCounterCheck);
  const row = result.rows[0]!;
  const refused = rsvpError(row.outcome);
  if (refused) throw refused;
  logger.info("rsvp", {
    code: "event_rsvp",
    eventId: input.eventId,
    userId: input.me,
    status: row.status ?? "none",
    promoted: Number(row.promoted),
  });
  return row;
}

/**
 * The actor answers an event: going (a seat, or the waitlist when the event or their role is
 * full), interested or not going, with an optional dance role. Idempotent: the same answer
 * again keeps the seat or the place in line. Seats freed by the answer go to the first in line
 * who fit, in the same transaction. See {@link rsvpStatement} for every rule.
 */
export async function answerRsvp(
  ctx: ActorCtx,
  input: { eventId: number; status: "going" | "interested" | "not_going"; role?: DanceRole },
): Promise<Rsvp> {
  const row = await runRsvp(ctx, { me: ctx.actor.id, eventId: input.eventId, status: input.status, role: input.role ?? null, now: ctx.now });
  return toRsvp(input.eventId, row);
}

/**
 * The actor takes their RSVP back (nothing to do when there is none): a seat they held goes to
 * the first in line who fits, and their ticket is cancelled.
 */
export async function withdrawRsvp(ctx: ActorCtx, input: { eventId: number }): Promise<void> {
  await runRsvp(ctx, { me: ctx.actor.id, eventId: input.eventId, status: null, role: null, now: ctx.now });
}

/**
 * The statement that takes the event row's lock, for a batch that changes an event's RSVPs
 * (e.g. cancelling an event: the next statement then sees every RSVP and ticket).
 *
 * @example
 * await db.batch([lockEventForRsvps(db, eventId), db.execute(sql`UPDATE event_tickets ...`)]);
 */
export function lockEventForRsvps(db: Db, eventId: number) {
  return db.execute(lockEventStatement(eventId));
}

/**
 * Promotes the waitlisted dancers of an event who fit now, first in line first, as one statement
 * not yet run (`promoted`: how many): for the capacity-raise path, put it in the same
 * `db.batch` right after the statement that raised `max_attendees` or a role cap (that update
 * holds the event row's lock, so this statement sees every RSVP). Promoted dancers are counted
 * in, get their tickets on a paid event, and are notified (`event_waitlist_promoted`).
 *
 * @example
 * await db.batch([db.execute(sql`UPDATE events SET max_attendees = 80 WHERE id = ${id}`), promoteWaitlisted(db, { eventId: id, now })]);
 */
export function promoteWaitlisted(db: Db, input: { eventId: number; now: Date }) {
  return db.execute<{ promoted: number }>(promoteWaitlistedStatement(input));
}
