/**
 * A series' recurrence rule and the occurrences it makes, computed with `Intl` in the series'
 * IANA time zone: an occurrence is a local date, and its start the local start time on that
 * date in that zone, so 21:00 in Buenos Aires or Berlin stays 21:00 across DST (its UTC
 * instant moves instead). Pure functions: the same rule gives the same dates whatever window
 * is asked for, so extending the window later never shifts an occurrence.
 */

export const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** "The first ... the fourth, the last" weekday of a month, as stored in `event_series.ordinal`. */
export const WEEKS_OF_MONTH = { first: 1, second: 2, third: 3, fourth: 4, last: -1 } as const;
export type WeekOfMonth = keyof typeof WEEKS_OF_MONTH;

/** A rule as `event_series` stores it (weekday 0 = Sunday; ordinal 1-4 or -1, monthly only). */
export interface SeriesRule {
  frequency: "weekly" | "monthly";
  interval: number;
  weekday: number;
  ordinal: number | null;
  /** Local start time, `HH:MM`. */
  startTime: string;
  durationMinutes: number;
  timezone: string;
  /** Local dates, `YYYY-MM-DD`; `until` inclusive. */
  startsOn: string;
  until: string | null;
}

/** One occurrence: its local date and its start and end instants. */
export interface Occurrence {
  on: string;
  start: Date;
  end: Date;
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a `YYYY-MM-DD` date. */
export function dayNumber(date: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return Math.round(Date.UTC(y, m - 1, d) / DAY_MS);
}

/** The `YYYY-MM-DD` date of a day number. */
export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The UTC calendar date of an instant, `YYYY-MM-DD`. */
export function utcDate(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * True for an IANA zone name `Intl` knows (`Europe/Berlin`, `America/Argentina/Buenos_Aires`,
 * `UTC`); offsets (`+03:00`) and abbreviations are not zone names and are refused.
 */
export function isIanaTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(name) || name.length > 64) return false;
  try {
    formatterFor(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * A zone name as `Intl` spells it when only its case differs (`europe/berlin` is
 * `Europe/Berlin`); otherwise the name as given (an alias such as
 * `America/Argentina/Buenos_Aires` is kept, not swapped for ICU's preferred spelling).
 */
export function canonicalTimeZone(name: string): string {
  const resolved = formatterFor(name).resolvedOptions().timeZone;
  return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
}

/** How far the zone's wall clock is ahead of UTC at an instant, in milliseconds. */
function zoneOffset(timeZone: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a local date and time in a zone names, as RFC 5545 (3.3.5) reads a local time:
 * a time that occurs twice (the night clocks go back) is the first of the two; a time that
 * does not occur (the night clocks go forward) is read with the offset before the gap, so
 * 02:30 on a spring-forward night becomes 03:30.
 *
 * @example
 * zonedInstant("2026-03-29", "21:00", "Europe/Berlin").toISOString(); // "2026-03-29T19:00:00.000Z" (CEST)
 */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const [hour, minute] = time.split(":").map(Number) as [number, number];
  const local = dayNumber(date) * DAY_MS + (hour * 60 + minute) * 60_000;
  const before = zoneOffset(timeZone, local - DAY_MS);
  const after = zoneOffset(timeZone, local + DAY_MS);
  const valid = [...new Set([before, after])]
    .map((offset) => local - offset)
    .filter((instant) => zoneOffset(timeZone, instant) === local - instant)
    .sort((a, b) => a - b);
  return new Date(valid[0] ?? local - before);
}

/** The rule's local dates from `from` to `to` (inclusive), within its own start and end. */
export function occurrenceDates(rule: SeriesRule, from: string, to: string): string[] {
  const first = Math.max(dayNumber(from), dayNumber(rule.startsOn));
  const last = Math.min(dayNumber(to), rule.until === null ? Number.POSITIVE_INFINITY : dayNumber(rule.until));
  if (first > last) return [];
  const days: number[] = [];
  if (rule.frequency === "weekly") {
    const start = dayNumber(rule.startsOn);
    const anchor = start + ((rule.weekday - weekdayOfDay(start) + 7) % 7);
    const step = 7 * rule.interval;
    for (let day = anchor + Math.max(0, Math.ceil((first - anchor) / step)) * step; day <= last; day += step) days.push(day);
  } else {
    const monthOf = (day: number) => {
      const d = new Date(day * DAY_MS);
      return d.getUTCFullYear() * 12 + d.getUTCMonth();
    };
    const anchor = monthOf(dayNumber(rule.startsOn));
    const skip = Math.max(0, Math.floor((monthOf(first) - anchor) / rule.interval));
    for (let month = anchor + skip * rule.interval; month <= monthOf(last); month += rule.interval) {
      const day = nthWeekday(month, rule.weekday, rule.ordinal ?? 1);
      if (day >= first && day <= last) days.push(day);
    }
  }
  return days.map(dateOfDay);
}

/** The `ordinal`th (1-4, or -1: the last) `weekday` of a month counted as `year * 12 + month`. */
function nthWeekday(month: number, weekday: number, ordinal: number): number {
  const year = Math.floor(month / 12);
  const index = month % 12;
  if (ordinal === -1) {
    const lastDay = Math.round(Date.UTC(year, index + 1, 0) / DAY_MS);
    return lastDay - ((weekdayOfDay(lastDay) - weekday + 7) % 7);
  }
  const firstDay = Math.round(Date.UTC(year, index, 1) / DAY_MS);
  return firstDay + ((weekday - weekdayOfDay(firstDay) + 7) % 7) + 7 * (ordinal - 1);
}

/** The occurrences on the rule's dates from `from` to `to`, each with its start and end instants. */
export function occurrencesBetween(rule: SeriesRule, from: string, to: string): Occurrence[] {
  return occurrenceDates(rule, from, to).map((on) => {
    const start = zonedInstant(on, rule.startTime, rule.timezone);
    return { on, start, end: new Date(start.getTime() + rule.durationMinutes * 60_000) };
  });
}
