import { AppError } from "../../lib/errors";
import { ANALYTICS_LIMITS, type ClientEvent } from "./analytics.schemas";

const DAY_MS = 86_400_000;

/** The longest range the stats route serves in one reply (a leap year). */
export const MAX_STATS_DAYS = 366;
/** The range served when none is asked for: the last 30 days, today included. */
export const DEFAULT_STATS_DAYS = 30;

/**
 * Refuses a batch with an event dated more than 7 days before `now` or more than 5 minutes after
 * it, naming each such event by its index: the daily figures are rolled up for today and
 * yesterday only, and a time far from the server's is a broken client clock, not a fact.
 */
export function eventTimeError(events: readonly ClientEvent[], now: Date): AppError | null {
  const earliest = now.getTime() - ANALYTICS_LIMITS.maxAgeMs;
  const latest = now.getTime() + ANALYTICS_LIMITS.maxAheadMs;
  const errors = events.flatMap((event, index) => {
    const at = Date.parse(event.time);
    if (at >= earliest && at <= latest) return [];
    return [{ path: `body.events.${index}.time`, message: at < earliest ? "More than 7 days old" : "More than 5 minutes in the future" }];
  });
  if (!errors.length) return null;
  return new AppError(400, "event_time_out_of_range", `Event times must lie within the last 7 days: ${errors.map((e) => e.path).join(", ")}.`, {
    errors,
  });
}

/** A UTC day as `YYYY-MM-DD`. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** `day` moved by `days` (negative: earlier). */
export function addDays(day: string, days: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

/**
 * The days the stats route serves: `to` defaults to today (UTC), `from` to 29 days before
 * `to`. A reversed range, or one longer than {@link MAX_STATS_DAYS}, is a 400.
 */
export function statsRange(query: { from?: string; to?: string }, now: Date): { from: string; to: string } | AppError {
  const to = query.to ?? utcDay(now);
  const from = query.from ?? addDays(to, -(DEFAULT_STATS_DAYS - 1));
  if (from > to) {
    return new AppError(400, "invalid_range", "`from` must not be after `to`.", { errors: [{ path: "query.from", message: "After `to`" }] });
  }
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  if (days > MAX_STATS_DAYS) {
    return new AppError(400, "range_too_long", `At most ${MAX_STATS_DAYS} days at a time.`, {
      errors: [{ path: "query.from", message: `At most ${MAX_STATS_DAYS} days before \`to\`` }],
    });
  }
  return { from, to };
}
