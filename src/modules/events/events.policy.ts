import { type SQL, sql } from "drizzle-orm";
import { AppError, conflict, forbidden, notFound } from "../../lib/errors";
import { EVENT_LIMITS } from "./events.input";

/**
 * Who may do what with an event, and the rules between its fields. Organizers (the organizer
 * and co-organizers: `managesEvent`) edit and cancel; only the organizer deletes it and names
 * co-organizers.
 */

/** Holds when the viewer is the event's organizer (its creator), not a co-organizer. */
export function organizesEvent(viewerId: number, event: SQL): SQL<boolean> {
  return sql<boolean>`(${event}.user_id = ${viewerId})`;
}

/**
 * Holds when the dancer may host events in the group: an active admin or moderator of a group
 * not hidden by moderation. (A group the dancer cannot see at all fails the same way, so the
 * refusal tells nothing about it.)
 */
export function mayHostInGroup(userId: number, groupId: SQL): SQL<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM group_members gm JOIN groups g ON g.id = gm.group_id
    WHERE gm.group_id = ${groupId} AND gm.user_id = ${userId} AND gm.status = 'active'
      AND gm.role IN ('admin', 'moderator') AND g.hidden_at IS NULL)`;
}

/** A rule between an event's fields, checked on the event as a write would leave it. */
interface EventRule {
  code: string;
  status: 400 | 403 | 409;
  path: string;
  message: string;
  /** Holds (true, never null) for a good event; `n` is the row as it would be written. */
  holds: (n: SQL, actorId: number) => SQL;
}

/**
 * The rules every create and edit is held to, in the order they are told, over the row as it
 * would be written (`n`: the stored event with the edit applied, or the new one) with its
 * counters as they are now (`going_count`...) and `was_status` / `was_group_id`, what the
 * event was before the write. Checked inside the writing statement, against the locked row,
 * so that a capacity can never be set under the dancers going, whatever the concurrency.
 */
export const EVENT_RULES: readonly EventRule[] = [
  {
    code: "end_before_start",
    status: 400,
    path: "body.endDate",
    message: "The event ends before it starts",
    holds: (n) => sql`(${n}.end_date IS NULL OR ${n}.end_date >= ${n}.start_date)`,
  },
  {
    code: "event_too_long",
    status: 400,
    path: "body.endDate",
    message: `An event lasts at most ${EVENT_LIMITS.days} days`,
    holds: (n) => sql`(${n}.end_date IS NULL OR ${n}.end_date <= ${n}.start_date + make_interval(days => ${EVENT_LIMITS.days}))`,
  },
  {
    code: "coordinates_incomplete",
    status: 400,
    path: "body.latitude",
    message: "Give both latitude and longitude, or neither",
    holds: (n) => sql`((${n}.latitude IS NULL) = (${n}.longitude IS NULL))`,
  },
  {
    code: "meeting_url_not_online",
    status: 400,
    path: "body.meetingUrl",
    message: "Only an online event (isOnline) has a meeting URL",
    holds: (n) => sql`(${n}.meeting_url IS NULL OR ${n}.is_online)`,
  },
  {
    code: "price_without_currency",
    status: 400,
    path: "body.currency",
    message: "A price needs its currency, and a currency its price",
    holds: (n) => sql`((${n}.price IS NULL) = (${n}.currency IS NULL))`,
  },
  {
    code: "role_cap_over_capacity",
    status: 400,
    path: "body.maxLeaders",
    message: "The leaders' cap is at most maxAttendees",
    holds: (n) => sql`(${n}.max_leaders IS NULL OR ${n}.max_attendees IS NULL OR ${n}.max_leaders <= ${n}.max_attendees)`,
  },
  {
    code: "role_cap_over_capacity",
    status: 400,
    path: "body.maxFollowers",
    message: "The followers' cap is at most maxAttendees",
    holds: (n) => sql`(${n}.max_followers IS NULL OR ${n}.max_attendees IS NULL OR ${n}.max_followers <= ${n}.max_attendees)`,
  },
  {
    code: "capacity_below_going",
    status: 409,
    path: "body.maxAttendees",
    message: "More dancers are already going than this capacity",
    holds: (n) => sql`(${n}.max_attendees IS NULL OR ${n}.max_attendees >= ${n}.going_count)`,
  },
  {
    code: "capacity_below_going",
    status: 409,
    path: "body.maxLeaders",
    message: "More leaders are already going than this cap",
    holds: (n) => sql`(${n}.max_leaders IS NULL OR ${n}.max_leaders >= ${n}.leaders_going)`,
  },
  {
    code: "capacity_below_going",
    status: 409,
    path: "body.maxFollowers",
    message: "More followers are already going than this cap",
    holds: (n) => sql`(${n}.max_followers IS NULL OR ${n}.max_followers >= ${n}.followers_going)`,
  },
  {
    code: "event_has_rsvps",
    status: 409,
    path: "body.status",
    message: "Dancers have answered this event: cancel it instead of making it a draft",
    holds: (n) => sql`NOT (${n}.status = 'draft' AND ${n}.was_status IS DISTINCT FROM 'draft'
      AND ${n}.going_count + ${n}.interested_count + ${n}.waitlist_count > 0)`,
  },
  {
    code: "not_group_host",
    status: 403,
    path: "body.groupId",
    message: "Only the group's active admins and moderators host events in it",
    holds: (n, actorId) =>
      sql`(${n}.group_id IS NULL OR ${n}.group_id IS NOT DISTINCT FROM ${n}.was_group_id OR ${mayHostInGroup(actorId, sql`${n}.group_id`)})`,
  },
];

/**
 * The first rule the row breaks, as its index in {@link EVENT_RULES} (null when it breaks
 * none): one `CASE` for the statement's verdict.
 */
export function brokenRule(n: SQL, actorId: number): SQL<number | null> {
  const cases = EVENT_RULES.map((rule, index) => sql`WHEN NOT ${rule.holds(n, actorId)} THEN ${index}::int`);
  return sql<number | null>`(CASE ${sql.join(cases, sql` `)} END)`;
}

/** The refusal for a broken rule, naming its field. */
export function ruleError(index: number): AppError {
  const rule = EVENT_RULES[index]!;
  return new AppError(rule.status, rule.code, `${rule.message}.`, { errors: [{ path: rule.path, message: rule.message }] });
}

/**
 * The events table's own CHECKs, the last line behind {@link EVENT_RULES}: a write that
 * slipped past them is refused as the matching rule.
 */
const CHECK_RULES: Record<string, { code: string; path: string }> = {
  events_dates_check: { code: "end_before_start", path: "body.endDate" },
  events_capacity_check: { code: "capacity_below_going", path: "body.maxAttendees" },
  events_leaders_check: { code: "capacity_below_going", path: "body.maxLeaders" },
  events_followers_check: { code: "capacity_below_going", path: "body.maxFollowers" },
};

/** The rule a CHECK violation of the events table stands for, if it is one of its own. */
export function checkRuleError(constraint: string | undefined): AppError | null {
  const rule = constraint === undefined ? undefined : CHECK_RULES[constraint];
  if (rule === undefined) return null;
  return ruleError(EVENT_RULES.findIndex((r) => r.code === rule.code && r.path === rule.path));
}

/** What a write on an event found: whether the actor sees it, and whether they may do this. */
export interface EventWriteSeen {
  found: boolean;
  allowed: boolean;
}

/**
 * The refusal for a write on an event, from what its statement saw: an event the actor may not
 * see is a 404 (whether or not it exists), one they see but may not change a 403.
 */
export function eventWriteError(seen: EventWriteSeen, action: "edit" | "cancel" | "delete" | "co_organizers"): AppError | null {
  if (!seen.found) return notFound("event");
  if (seen.allowed) return null;
  switch (action) {
    case "edit":
      return forbidden("Only the event's organizer and co-organizers edit it.", "not_event_organizer");
    case "cancel":
      return forbidden("Only the event's organizer and co-organizers cancel it.", "not_event_organizer");
    case "delete":
      return forbidden("Only the event's organizer deletes it.", "not_event_organizer");
    case "co_organizers":
      return forbidden("Only the event's organizer names and removes co-organizers.", "not_event_organizer");
  }
}

/** A cancelled event is kept as it was: it takes no edits. */
export const eventCancelledError = () => conflict("event_cancelled", "The event is cancelled; it can no longer be edited.");

/**
 * An occurrence of a series is deleted only with its series: alone, the series' window would
 * make it again. Cancelling it alone is what the series offers.
 */
export const seriesOccurrenceError = () =>
  conflict("event_in_series", "This event is an occurrence of a series: cancel it instead (POST /api/events/{id}/cancel).");
