import { AppError, conflict, forbidden, notFound } from "../../lib/errors";

/**
 * The refusal for an RSVP from the verdict its statement reached (`ok`: none). An event the
 * dancer may not see, a draft among them, is a 404; one that takes no RSVP now a 409 that says
 * why; `going` without a role on an event that caps roles a 422 (the caps could not be kept).
 */
export function rsvpError(outcome: string): AppError | null {
  switch (outcome) {
    case "ok":
      return null;
    case "not_found":
      return notFound("event");
    case "event_cancelled":
      return conflict("event_cancelled", "This event was cancelled: it takes no RSVP.");
    case "event_not_published":
      return conflict("event_not_published", "This event is not published yet: it takes no RSVP.");
    case "event_ended":
      return conflict("event_ended", "This event is over: it takes no RSVP.");
    case "account_unusable":
      return forbidden("Your account cannot answer events now.", "account_unusable");
    case "role_required":
      return new AppError(422, "role_required", "This event keeps leaders and followers balanced: say which role you dance.", {
        errors: [{ path: "body.role", message: "Required for going to this event" }],
      });
    default:
      throw new Error(`unknown RSVP verdict: ${outcome}`);
  }
}
