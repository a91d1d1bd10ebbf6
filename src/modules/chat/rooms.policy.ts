import { AppError, badRequest, conflict, forbidden, notFound } from "../../lib/errors";

/** Rooms are private to their members: a room the caller is not in is a 404, whether or not it exists. */
export const roomNotFoundError = () => notFound("chat room");

/** The other dancer of a direct room is unknown, unusable or blocked either way: one answer for all. */
export const noSuchDancerError = () => new AppError(404, "not_found", "No such dancer.");

/** A direct room is with someone else. */
export const cannotMessageSelfError = () => badRequest("cannot_message_self", "A direct room is with another dancer.");

/**
 * The other dancer takes messages only from friends (and the caller is not one), or from nobody
 * (their `messagePermission`): no new direct room. One that exists already is still answered.
 */
export const messagesNotAllowedError = () =>
  forbidden("This dancer does not take messages from you.", "messages_not_allowed");

export const notRoomAdminError = () => forbidden("Only the room's admins do this.", "not_room_admin");

export const notEventOrganizerError = () => forbidden("Only the event's organizers open its chat room.", "not_event_organizer");

/** A direct room is always its two dancers, and has no name or admins. */
export const directRoomError = () =>
  badRequest("direct_room", "A direct room is always its two dancers: no one joins, leaves or is added, and it has no name or roles.");

/** An event room's members are the event's organizers and the dancers going, who join it themselves. */
export const eventRoomError = () =>
  badRequest("event_room", "An event room's members are its event's organizers and the dancers going: they join with POST /api/chat/rooms/{id}/join.");

/** A room keeps an admin while it has members: the last one hands over first. */
export const lastAdminError = () =>
  conflict("last_admin", "The room's last admin cannot leave or step down while others remain: make another member an admin first.");

export const noSuchMemberError = () => new AppError(404, "not_found", "No such member of this room.");

/**
 * Dancers a room cannot take (unknown, suspended, deactivated, or blocked either way with the
 * caller: one answer for all, so a block is not revealed), each named by its field.
 */
export function unknownMembersError(field: string, indexes: number[]): AppError {
  return new AppError(400, "unknown_user", "No such dancer.", {
    errors: indexes.map((index) => ({ path: `${field}.${index}`, message: "No such dancer" })),
  });
}

/** The creator of a group room is its admin already. */
export function selfAsMemberError(field: string, index: number): AppError {
  return new AppError(400, "cannot_add_self", "The room's creator is a member already: list the others.", {
    errors: [{ path: `${field}.${index}`, message: "That is you" }],
  });
}

/** What a membership statement saw, in the order the refusals are checked. */
export interface MembershipSeen {
  /** The room exists and the caller is a member. */
  found: boolean;
  type: string | null;
  /** The caller may do this (an admin, or acting on themselves). */
  allowed: boolean;
}

/**
 * The refusal for a change of a room's members, from what its statement saw: not the caller's
 * room (404), a direct room (400 `direct_room`), an event room when `groupOnly` (400
 * `event_room`), not an admin (403 `not_room_admin`).
 */
export function membershipError(seen: MembershipSeen, options: { groupOnly?: boolean } = {}): AppError | null {
  if (!seen.found) return roomNotFoundError();
  if (seen.type === "direct") return directRoomError();
  if (options.groupOnly && seen.type === "event") return eventRoomError();
  if (!seen.allowed) return notRoomAdminError();
  return null;
}
