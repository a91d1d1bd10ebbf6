import { AppError, conflict, forbidden } from "../../lib/errors";

/** An event without an end time is taken to end this long after its start (a milonga's night). */
export const ASSUMED_DURATION_HOURS = 4;

/** Review refusals, by the outcome the review statement reports. */
export const REVIEW_REFUSALS = {
  organizer: () => forbidden("Organizers do not review their own event.", "organizer_cannot_review"),
  not_checked_in: () => forbidden("Only dancers checked in at the event may review it.", "not_checked_in"),
  not_ended: () => conflict("event_not_ended", "Reviews open when the event has ended."),
} as const;

export const alreadyReviewed = () => conflict("already_reviewed", "You have already reviewed this event: edit your review instead.");

export const notReviewAuthor = () => forbidden("Only the review's author may change or delete it.", "not_review_author");


export const nothingToChange = () =>
  new AppError(400, "validation_failed", "The request is not valid: body.", {
    errors: [{ path: "body", message: "Give rating, text or both" }],
  });
