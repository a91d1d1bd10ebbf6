import { type SQL, sql } from "drizzle-orm";
import { PROFILE_VISIBILITIES } from "../../../drizzle/identity";
import { type AppError, forbidden, notFound } from "../../lib/errors";
import { areFriends } from "../graph";
import { profileAccess } from "../users";
import type { AttendeeList } from "./attendees.schemas";

/**
 * Holds when the viewer may see the whole profile of the dancer `user` (with `settings`, their
 * user_settings row, LEFT JOINed): the (visibility, is the viewer, is a friend) combinations the
 * users module's `profileAccess` opens, enumerated from it, so the attendee list and the
 * profile page cannot disagree. An attendee whose profile the viewer would see only as a card
 * keeps their attendance to themselves.
 */
export function profileOpenTo(viewerId: number | null, user: SQL, settings: SQL): SQL<boolean> {
  const open = PROFILE_VISIBILITIES.flatMap((visibility) =>
    [false, true].flatMap((isOwner) =>
      [false, true]
        .filter((isFriend) => profileAccess({ visibility, isOwner, isFriend }) === "full")
        .map((isFriend) => sql`(${visibility}::varchar, ${isOwner}::boolean, ${isFriend}::boolean)`),
    ),
  );
  return sql<boolean>`((coalesce(${settings}.profile_visibility, 'public')::varchar, (${user}.id = ${viewerId}::int) IS TRUE,
    ${areFriends(viewerId, sql`${user}.id`)}) IN (${sql.join(open, sql`, `)}))`;
}

/**
 * Who may read which attendee list, once the event is visible: going and interested dancers are
 * for everyone who may see the event, the waitlist for its organizers only (403: the event is
 * there, the list is not theirs).
 */
export function attendeeListError(seen: { found: boolean; manages: boolean }, list: AttendeeList): AppError | null {
  if (!seen.found) return notFound("event");
  if (list === "waitlisted" && !seen.manages) {
    return forbidden("Only the event's organizers see its waitlist.", "waitlist_restricted");
  }
  return null;
}
