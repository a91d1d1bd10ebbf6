/**
 * iCalendar (RFC 5545) output: what calendar apps read from `calendar.ics` and the personal
 * feed. Lines end in CRLF and are folded at 75 octets (never inside a UTF-8 character); text
 * values are escaped; times are UTC (`...Z`), so no VTIMEZONE is needed.
 */

/** One VEVENT. */
export interface IcsEvent {
  /** Stable across edits and exports: `event-<id>@<host>`. */
  uid: string;
  /** When this information was last revised (the event's `updated_at`). */
  stamp: Date;
  start: Date;
  end: Date | null;
  summary: string;
  description: string;
  location: string | null;
  geo: { latitude: number; longitude: number } | null;
  url: string;
  categories: string[];
  /** `events.sequence`: bumped by every edit, so apps replace their copy. */
  sequence: number;
  /** CANCELLED for a cancelled event, TENTATIVE for a draft (its organizers see it), else CONFIRMED. */
  status: "CONFIRMED" | "TENTATIVE" | "CANCELLED";
  created: Date | null;
}

const PRODID = "-//Mundo Tango//Mundo Tango Edge//EN";

/** A TEXT value escaped (RFC 5545 3.3.11): backslash, semicolon, comma, and line breaks as `\n`. */
export function escapeText(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r\n|\r|\n/g, "\\n");
}

/** A DATE-TIME in UTC: `20261203T000000Z`. */
export function icsTime(instant: Date): string {
  return instant.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

const encoder = new TextEncoder();

/**
 * Folds a content line into lines of at most 75 octets (RFC 5545 3.1): each continuation
 * starts with one space, and a multi-byte character is never split.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = "";
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    // The first line holds 75 octets; a continuation 74 after its leading space.
    if (octets + size > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = "";
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join("\r\n ");
}

function eventLines(event: IcsEvent): string[] {
  const lines = [
    "BEGIN:VEVENT",
    `UID:${event.uid}`,
    `DTSTAMP:${icsTime(event.stamp)}`,
    `DTSTART:${icsTime(event.start)}`,
  ];
  if (event.end) lines.push(`DTEND:${icsTime(event.end)}`);
  lines.push(`SUMMARY:${escapeText(event.summary)}`);
  if (event.description) lines.push(`DESCRIPTION:${escapeText(event.description)}`);
  if (event.location) lines.push(`LOCATION:${escapeText(event.location)}`);
  if (event.geo) lines.push(`GEO:${event.geo.latitude};${event.geo.longitude}`);
  if (event.categories.length) lines.push(`CATEGORIES:${event.categories.map(escapeText).join(",")}`);
  lines.push(`URL:${event.url}`, `SEQUENCE:${event.sequence}`, `STATUS:${event.status}`);
  if (event.created) lines.push(`CREATED:${icsTime(event.created)}`);
  lines.push(`LAST-MODIFIED:${icsTime(event.stamp)}`, "END:VEVENT");
  return lines;
}

/**
 * A whole VCALENDAR with these events, as the body of a `text/calendar` response.
 *
 * @example
 * icsCalendar([event], { name: "Milonga del Jueves" }); // "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n..."
 */
export function icsCalendar(events: IcsEvent[], options: { name: string }): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    `PRODID:${PRODID}`,
    "CALSCALE:GREGORIAN",
    `X-WR-CALNAME:${escapeText(options.name)}`,
    ...events.flatMap(eventLines),
    "END:VCALENDAR",
  ];
  return `${lines.map(foldLine).join("\r\n")}\r\n`;
}
