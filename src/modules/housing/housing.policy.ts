import { type SQL, sql } from "drizzle-orm";
import { MAX_STAY_NIGHTS } from "../../../drizzle/housing";
import { AppError, badRequest, conflict, forbidden, notFound } from "../../lib/errors";
import { HOUSING_LIMITS } from "./housing.input";

/**
 * Who may do what with a listing and a stay, and the rules between dates. A listing is its
 * host's to edit, delete, close dates on and read the requests of; a stay is its guest's and
 * its host's, and nobody else's (others get a 404, as if it did not exist).
 */

/** Holds when the viewer hosts the home (`home`, a `host_homes` alias). */
export function hostsHome(viewerId: number | null, home: SQL): SQL<boolean> {
  return viewerId === null ? sql<boolean>`false` : sql<boolean>`(${home}.user_id = ${viewerId})`;
}

export const listingNotFound = () => notFound("listing");
export const bookingNotFound = () => notFound("booking");
export const notListingHost = () => forbidden("Only the listing's host may do this.", "not_listing_host");

/** The whole number of days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** A day `days` after `day` (`YYYY-MM-DD`). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Today, in UTC, as `YYYY-MM-DD`: the day check-ins and checkouts are compared with. */
export function today(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** A stay's dates: checkout after check-in, at most MAX_STAY_NIGHTS nights (400 otherwise). */
export function checkStayDates(checkIn: string, checkOut: string, paths = { checkOut: "body.checkOut" }): void {
  const nights = daysBetween(checkIn, checkOut);
  if (nights < 1) {
    throw new AppError(400, "dates_reversed", "The checkout day must come after the check-in day.", {
      errors: [{ path: paths.checkOut, message: "After checkIn" }],
    });
  }
  if (nights > MAX_STAY_NIGHTS) {
    throw new AppError(400, "stay_too_long", `A stay is at most ${MAX_STAY_NIGHTS} nights.`, {
      errors: [{ path: paths.checkOut, message: `At most ${MAX_STAY_NIGHTS} nights after checkIn` }],
    });
  }
}

/** The rules of a booking request that need nothing stored: rules accepted, dates in order, not in the past. */
export function checkBookingRequest(input: { checkIn: string; checkOut: string; acceptRules: boolean }, now: Date): void {
  if (!input.acceptRules) {
    throw new AppError(400, "rules_not_accepted", "The house rules must be accepted to ask for a stay.", {
      errors: [{ path: "body.acceptRules", message: "Must be true" }],
    });
  }
  checkStayDates(input.checkIn, input.checkOut);
  if (input.checkIn < today(now)) {
    throw new AppError(400, "check_in_past", "The check-in day is today or later.", {
      errors: [{ path: "body.checkIn", message: "Today or later (UTC)" }],
    });
  }
}

/** Closed dates: the end after the start, within the calendar's reach. */
export function checkBlockDates(input: { startsOn: string; endsOn: string }): void {
  const days = daysBetween(input.startsOn, input.endsOn);
  if (days < 1) {
    throw new AppError(400, "dates_reversed", "endsOn must come after startsOn.", { errors: [{ path: "body.endsOn", message: "After startsOn" }] });
  }
  if (days > HOUSING_LIMITS.calendarDays) {
    throw new AppError(400, "block_too_long", `Close at most ${HOUSING_LIMITS.calendarDays} days at once.`, {
      errors: [{ path: "body.endsOn", message: `At most ${HOUSING_LIMITS.calendarDays} days after startsOn` }],
    });
  }
}

/** The refusals of a booking request, by the verdict its statement answers. */
export const BOOKING_REFUSALS = {
  own_listing: () => forbidden("Hosts do not ask to stay in their own home.", "own_listing"),
  booking_not_allowed: () => forbidden("The host takes requests only from their friends (or friends of friends).", "booking_not_allowed"),
  too_many_guests: () =>
    new AppError(400, "too_many_guests", "More guests than the home takes.", { errors: [{ path: "body.guests", message: "Within maxGuests" }] }),
  dates_unavailable: () => conflict("dates_unavailable", "The home is not free for those dates."),
} as const;

export const datesUnavailable = BOOKING_REFUSALS.dates_unavailable;

/** Approving or refusing a stay that is no longer pending (the guest cancelled, or it was answered). */
export const bookingNotPending = (status: string) => conflict("booking_not_pending", `The stay is ${status}, not pending.`);
/** Cancelling a stay that is not pending or approved, or whose check-in day has come. */
export const bookingNotCancellable = (status: string) =>
  conflict("booking_not_cancellable", `A ${status} stay, or one whose check-in day has come, cannot be cancelled.`);

export const stayNotCompleted = () => conflict("stay_not_completed", "Reviews come after a completed stay.");
export const alreadyReviewed = () => conflict("already_reviewed", "This stay was reviewed from your side already.");
export const listingHasStays = () => conflict("listing_has_stays", "The listing has upcoming approved stays: cancel them with the guests first.");
export const datesBooked = () => conflict("dates_booked", "Those dates overlap a pending or approved stay: answer it first.");
export const datesIncomplete = () => badRequest("dates_incomplete", "Give both checkIn and checkOut, or neither.");
