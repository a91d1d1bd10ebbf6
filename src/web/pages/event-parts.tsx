/**
 * Pieces the events list and an event's page share: the event's shapes as the typed client
 * gives them, its time (in the event's zone, and the dancer's own when that differs), its
 * place and who is going.
 */
import type { InferResponseType } from "hono/client";
import type { api } from "../api";

export type EventCard = InferResponseType<typeof api.api.events.$get, 200>["items"][number];
export type EventDetail = InferResponseType<(typeof api.api.events)[":id"]["$get"], 200>;
export type ViewerRsvp = NonNullable<EventCard["viewer"]["rsvp"]>;

export const EVENT_TYPES = ["milonga", "practica", "festival", "workshop", "class", "marathon", "encuentro"] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export const typeLabel = (type: string) => type.charAt(0).toUpperCase() + type.slice(1);

/** "Buenos Aires time" for America/Argentina/Buenos_Aires; the zone's last part reads best. */
function zoneLabel(zone: string): string {
  return zone === "UTC" ? "UTC" : `${(zone.split("/").pop() ?? zone).replaceAll("_", " ")} time`;
}

function format(at: Date, zone: string | undefined): string {
  const options: Intl.DateTimeFormatOptions = { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "numeric", minute: "2-digit" };
  try {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone: zone }).format(at);
  } catch {
    // A zone this browser does not know: UTC, said so by the caller's label.
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone: "UTC" }).format(at);
  }
}

/**
 * When an event starts, in its own zone (where the dancers will be) with the zone named, and
 * in the dancer's zone too when the clock there reads otherwise (planning from abroad).
 */
export function When({ start, zone }: { start: string; zone: string }) {
  const at = new Date(start);
  const there = format(at, zone);
  const here = format(at, undefined);
  return (
    <p class="event-when">
      <time datetime={start}>
        {there} ({zoneLabel(zone)})
      </time>
      {here !== there && <span class="muted"> · {here} your time</span>}
    </p>
  );
}

/** Venue, city and country as far as the event gives them; "Online" for online ones. */
export function placeOf(event: EventCard): string {
  const parts = [event.venue ?? event.location, event.city, event.country].filter((p): p is string => !!p);
  const place = [...new Set(parts)].join(", ");
  return event.isOnline ? (place ? `Online · ${place}` : "Online") : place;
}

/** "12 going of 40 · 3 on the waitlist". */
export function goingLine(event: EventCard): string {
  const going = `${event.counts.going} going${event.maxAttendees !== null ? ` of ${event.maxAttendees}` : ""}`;
  const waiting = event.counts.waitlisted > 0 ? ` · ${event.counts.waitlisted} on the waitlist` : "";
  return going + waiting;
}

/** The viewer's answer in a sentence. */
export function rsvpSentence(rsvp: ViewerRsvp | null): string {
  if (!rsvp) return "You have not answered yet.";
  const role = rsvp.role ? ` as a ${rsvp.role}` : "";
  switch (rsvp.status) {
    case "going":
      return `You are going${role}.`;
    case "waitlisted":
      return rsvp.position !== null ? `You are on the waitlist, position ${rsvp.position}${role}.` : `You are on the waitlist${role}.`;
    case "interested":
      return "You are interested.";
    default:
      return "You are not going.";
  }
}
