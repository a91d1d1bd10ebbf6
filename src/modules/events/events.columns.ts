import { type SQL, sql } from "drizzle-orm";
import { coordinateText, type EventField } from "./events.input";

/** How a field's value is passed to SQL, typed so that a `CASE` or an `INSERT ... SELECT` reads it right. */
type Kind = "text" | "timestamp" | "boolean" | "int" | "tags" | "coordinate";

/** Each field of the API and its column in `events`. */
export const EVENT_COLUMNS: Record<EventField, { column: string; kind: Kind }> = {
  title: { column: "title", kind: "text" },
  description: { column: "description", kind: "text" },
  eventType: { column: "event_type", kind: "text" },
  status: { column: "status", kind: "text" },
  startDate: { column: "start_date", kind: "timestamp" },
  endDate: { column: "end_date", kind: "timestamp" },
  timezone: { column: "timezone", kind: "text" },
  location: { column: "location", kind: "text" },
  venue: { column: "venue", kind: "text" },
  address: { column: "address", kind: "text" },
  city: { column: "city", kind: "text" },
  country: { column: "country", kind: "text" },
  latitude: { column: "latitude", kind: "coordinate" },
  longitude: { column: "longitude", kind: "coordinate" },
  isOnline: { column: "is_online", kind: "boolean" },
  meetingUrl: { column: "meeting_url", kind: "text" },
  price: { column: "price", kind: "text" },
  currency: { column: "currency", kind: "text" },
  ticketUrl: { column: "ticket_url", kind: "text" },
  maxAttendees: { column: "max_attendees", kind: "int" },
  maxLeaders: { column: "max_leaders", kind: "int" },
  maxFollowers: { column: "max_followers", kind: "int" },
  tags: { column: "tags", kind: "tags" },
  imageUrl: { column: "image_url", kind: "text" },
  groupId: { column: "group_id", kind: "int" },
  venueId: { column: "venue_id", kind: "int" },
};

const FIELDS = Object.keys(EVENT_COLUMNS) as EventField[];

/** A value of a field as a typed SQL parameter (null as a typed NULL). */
function param(kind: Kind, value: unknown): SQL {
  switch (kind) {
    case "text":
      return sql`${value ?? null}::text`;
    case "timestamp":
      // Stored as UTC wall time: the columns are `timestamp` without a zone.
      return value == null ? sql`NULL::timestamp` : sql`(${value as string}::timestamptz AT TIME ZONE 'UTC')`;
    case "boolean":
      return sql`${value ?? null}::boolean`;
    case "int":
      return sql`${value ?? null}::int`;
    case "coordinate":
      return sql`${coordinateText(value as number | null | undefined)}::text`;
    case "tags":
      return value == null
        ? sql`NULL::text[]`
        : sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(value)}::jsonb))::text[]`;
  }
}

/**
 * The select list of the row an event write would leave (`next` in the writing statement),
 * one column per field under its table name: the given value where the input has one, else
 * `base`'s column (the stored event, for an edit) or a typed NULL (a create).
 */
export function nextColumns(input: Partial<Record<EventField, unknown>>, base: SQL | null): SQL {
  return sql.join(
    FIELDS.map((field) => {
      const { column, kind } = EVENT_COLUMNS[field];
      const value = input[field] !== undefined ? param(kind, input[field]) : base ? sql`${base}.${sql.identifier(column)}` : param(kind, null);
      return sql`${value} AS ${sql.identifier(column)}`;
    }),
    sql`, `,
  );
}

/** The given fields' columns, for an INSERT's column list or an UPDATE's SET (`column = n.column`). */
export function givenColumns(input: Partial<Record<EventField, unknown>>): string[] {
  return FIELDS.filter((field) => input[field] !== undefined).map((field) => EVENT_COLUMNS[field].column);
}

/** Whether a price makes the event a paid one (its tickets, RSVP side), from the row as written. */
export const isPaidOf = (n: SQL): SQL => sql`coalesce(${n}.price::numeric > 0, false)`;
