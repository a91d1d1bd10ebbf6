import { AppError, forbidden, notFound } from "../../lib/errors";

/**
 * The refusal for a write on a series, from what its statement saw: a series the actor may not
 * see is a 404 (whether or not it exists), one they see but did not create a 403: only its
 * organizer edits or cancels a series (co-organizers are per occurrence).
 */
export function seriesWriteError(seen: { found: boolean; allowed: boolean }, action: "edit" | "cancel"): AppError | null {
  if (!seen.found) return notFound("event series");
  if (seen.allowed) return null;
  return forbidden(`Only its organizer may ${action} a series.`, "not_series_organizer");
}

/** How many times an edit reads the series again when a concurrent edit changed it in between. */
export const SERIES_CHANGED_RETRIES = 3;

/** An edit that kept losing to concurrent edits of the same series. */
export function seriesChangedError(): AppError {
  return new AppError(409, "series_changed", "The series changed while this edit was applied; retry it.");
}
