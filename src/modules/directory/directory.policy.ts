import type { Actor } from "../../lib/context";
import { PG, pgError } from "../../lib/db";
import { AppError, conflict, forbidden } from "../../lib/errors";

/** The lowest role level that may edit or delete anyone's venue or school (5 Admin and up), as for posts and comments. */
export const PLACE_MODERATOR_LEVEL = 5;

/** Whether the actor edits any venue or school, not only their own. */
export const mayEditAnyPlace = (actor: Actor): boolean => actor.level >= PLACE_MODERATOR_LEVEL;

export const teacherProfileExists = () => conflict("teacher_profile_exists", "You already have a teacher profile: edit it instead.");
export const notTeacherOwner = () => forbidden("Only the teacher may change their profile.", "not_teacher_owner");
export const notPlaceOwner = (what: "venue" | "school") =>
  forbidden(`Only the ${what}'s creator or an admin may change it.`, `not_${what}_owner`);
export const notSchoolOwner = () => forbidden("Only the school's owner may do this.", "not_school_owner");
export const cannotStudyWithSelf = () => new AppError(400, "cannot_study_with_self", "You cannot be your own student.");
export const notStudentTeacher = () => forbidden("Only the teacher answers a student's request.", "not_the_teacher");
export const studentNotPending = () => conflict("student_not_pending", "Only a pending request can be rejected: end an approved one instead.");
export const notEligible = (what: "teacher" | "venue") =>
  forbidden(
    what === "teacher"
      ? "Only the teacher's approved students and dancers who attended a past event they organized may review them."
      : "Only dancers who attended a past event at the venue may review it.",
    "not_eligible",
  );
export const alreadyReviewed = () => conflict("already_reviewed", "You have already reviewed this: edit your review instead.");
export const notReviewAuthor = () => forbidden("Only the review's author may change or delete it.", "not_review_author");

/** A rate (private or group) given without a currency to read it in. */
export const rateWithoutCurrency = () =>
  new AppError(400, "rate_without_currency", "A rate needs its currency.", { errors: [{ path: "body.currency", message: "Required with a rate" }] });

export const coordinatesIncomplete = () =>
  new AppError(400, "coordinates_incomplete", "Give both latitude and longitude, or neither.", {
    errors: [{ path: "body.latitude", message: "Latitude and longitude go together" }],
  });

export const unknownVenue = () =>
  new AppError(400, "unknown_venue", "No such venue: link one listed by GET /api/venues.", { errors: [{ path: "body.venueId", message: "No such venue" }] });

export const nothingToChange = () =>
  new AppError(400, "validation_failed", "The request is not valid: body.", { errors: [{ path: "body", message: "Give rating, comment or both" }] });

/** Both coordinates, or neither: checked on the input where both are in it (the tables' checks cover edits of one). */
export function checkCoordinates(input: { latitude?: number | null; longitude?: number | null }): void {
  if ((input.latitude ?? null) === null !== ((input.longitude ?? null) === null)) throw coordinatesIncomplete();
}

/**
 * A write the tables' own constraints refused: the matching 400 (one coordinate without the
 * other, a venue that is not there), else the error as it was.
 */
export function rethrowRefused(error: unknown): never {
  const pg = pgError(error);
  if (pg?.code === PG.checkViolation && pg.constraint?.endsWith("_coordinates_check")) throw coordinatesIncomplete();
  if (pg?.code === PG.foreignKeyViolation && pg.constraint?.startsWith("schools_venue_id")) throw unknownVenue();
  throw error;
}
