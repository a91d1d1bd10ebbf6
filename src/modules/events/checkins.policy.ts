import { AppError, conflict, forbidden } from "../../lib/errors";

/**
 * How long before its start an event's check-in opens (a festival's desk the evening before, a
 * milonga's door). It never closes: attendance may be recorded after the night, from a list.
 */
export const CHECK_IN_OPENS_HOURS = 24;

/** Refusals of the attendance routes on an event the caller can see, but whose organizer they are not. */
export const notEventOrganizer = () => forbidden("Only the event's organizers may do this.", "not_event_organizer");

/** Check-in refusals, by the outcome the check-in statement reports. */
export const CHECK_IN_REFUSALS = {
  cancelled: () => conflict("event_cancelled", "The event was cancelled: nobody can be checked in."),
  draft: () => conflict("event_not_published", "The event is a draft: publish it before checking dancers in."),
  not_open: () =>
    conflict("check_in_not_open", `Check-in opens ${CHECK_IN_OPENS_HOURS} hours before the event starts.`),
  invalid_ticket: () =>
    new AppError(422, "invalid_ticket", "That code is not a ticket of this event.", {
      errors: [{ path: "body.ticketCode", message: "Not a ticket of this event" }],
    }),
  ticket_cancelled: () => conflict("ticket_cancelled", "That ticket was cancelled."),
  no_dancer: () =>
    new AppError(400, "validation_failed", "The request is not valid: body.", {
      errors: [{ path: "body", message: "Give either userId or ticketCode" }],
    }),
} as const;
