/**
 * Events near me: upcoming events around the dancer (the browser's geolocation, with a
 * radius), or, when the location is refused or unavailable, in the profile's city, saying so.
 * A city field and a type filter search anywhere; cursor pages scroll in as the list ends.
 */
import "./events.css";
import { useCallback, useEffect, useRef, useState } from "hono/jsx/dom";
import { type Me, api, ok } from "../api";
import { href } from "../router";
import { LoadMore, PageTitle, ProblemMessage } from "../ui";
import { EVENT_TYPES, type EventCard, type EventType, When, goingLine, placeOf, rsvpSentence, typeLabel } from "./event-parts";

export { EventPage } from "./event-page";

const RADII = [5, 10, 25, 50, 100, 250] as const;

type Where =
  | { kind: "locating" }
  | { kind: "near"; lat: number; lng: number }
  | { kind: "city"; city: string; fallback?: string }
  | { kind: "anywhere"; fallback?: string };

/** The dancer's position, or why there is none (in words for the page). */
function locate(): Promise<{ lat: number; lng: number }> {
  return new Promise((resolve, reject) => {
    if (!("geolocation" in navigator)) {
      reject(new Error("this browser cannot share your location"));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude }),
      (e) => reject(new Error(e.code === e.PERMISSION_DENIED ? "you did not allow this page to use your location" : "your location is unavailable")),
      { timeout: 10_000, maximumAge: 300_000 },
    );
  });
}

/** Where the dancer is, else their profile's city (read fresh: it may have changed since sign-in). */
async function startingPlace(user: Me): Promise<Where> {
  try {
    const { lat, lng } = await locate();
    return { kind: "near", lat, lng };
  } catch (error) {
    const reason = error instanceof Error ? error.message : "your location is unavailable";
    const me = await ok(api.api.auth.me.$get()).catch(() => user);
    return me.city ? { kind: "city", city: me.city, fallback: reason } : { kind: "anywhere", fallback: reason };
  }
}

type Query = { city?: string; type?: EventType; near?: string; radiusKm?: string };

function queryOf(where: Where, type: EventType | "", radiusKm: number): Query | null {
  const typed = type ? { type } : {};
  switch (where.kind) {
    case "locating":
      return null;
    case "near":
      // Five decimals (about a metre) fit the API's `near` and say no more than needed.
      return { ...typed, near: `${where.lat.toFixed(5)},${where.lng.toFixed(5)}`, radiusKm: String(radiusKm) };
    case "city":
      return { ...typed, city: where.city };
    default:
      return typed;
  }
}

function summary(where: Where, radiusKm: number): string {
  switch (where.kind) {
    case "locating":
      return "Finding where you are…";
    case "near":
      return `Events within ${radiusKm} km of you`;
    case "city":
      return `Events in ${where.city}`;
    default:
      return "Upcoming events everywhere";
  }
}

function Card({ event }: { event: EventCard }) {
  return (
    <li class="card event-card" data-testid="event-card">
      <p class="event-type">{typeLabel(event.eventType)}</p>
      <h3>
        <a href={href.event(event.id)}>{event.title}</a>
      </h3>
      <When start={event.startDate} zone={event.timezone} />
      <p>
        {placeOf(event)}
        {event.distanceKm !== null && <span class="muted"> · {event.distanceKm.toFixed(1)} km away</span>}
      </p>
      <p class="muted">{goingLine(event)}</p>
      {event.viewer.rsvp && <p class="event-mine">{rsvpSentence(event.viewer.rsvp)}</p>}
    </li>
  );
}

/** Cursor pages of the list for one query; a new query starts over, and only its answers count. */
function useEventPages(query: Query | null) {
  const key = query ? JSON.stringify(query) : null;
  const current = useRef<string | null>(key);
  const [state, setState] = useState<{ key: string | null; items: EventCard[]; cursor: string | null | undefined; busy: boolean; error: unknown }>({
    key,
    items: [],
    cursor: undefined,
    busy: false,
    error: null,
  });
  current.current = key;

  const fetchPage = useCallback(
    (cursor: string | undefined) => {
      if (!query || !key) return;
      setState((s) => ({ ...s, busy: true }));
      ok(api.api.events.$get({ query: { ...query, limit: "20", ...(cursor ? { cursor } : {}) } })).then(
        (page) => {
          if (current.current !== key) return;
          setState((s) => ({
            key,
            items: [...(cursor ? s.items : []), ...page.items.filter((e) => !cursor || !s.items.some((c) => c.id === e.id))],
            cursor: page.nextCursor,
            busy: false,
            error: null,
          }));
        },
        (error: unknown) => current.current === key && setState((s) => ({ ...s, busy: false, error })),
      );
    },
    [key],
  );

  useEffect(() => {
    setState({ key, items: [], cursor: undefined, busy: false, error: null });
    fetchPage(undefined);
  }, [key]);

  const more = useCallback(() => {
    if (state.busy || !state.cursor) return;
    fetchPage(state.cursor);
  }, [state.busy, state.cursor, fetchPage]);

  // Until the new query's first page arrives, the last query's items are not its answer.
  return { ...state, items: state.key === key ? state.items : [], cursor: state.key === key ? state.cursor : undefined, more };
}

export function EventsPage({ user }: { user: Me }) {
  const [where, setWhere] = useState<Where>({ kind: "locating" });
  const [type, setType] = useState<EventType | "">("");
  const [radiusKm, setRadiusKm] = useState(25);
  const [cityText, setCityText] = useState("");
  const pages = useEventPages(queryOf(where, type, radiusKm));

  // A location answered late (a permission prompt left open) must not undo a search made since.
  const asked = useRef(0);
  const nearMe = () => {
    const request = ++asked.current;
    setWhere({ kind: "locating" });
    void startingPlace(user).then((found) => {
      if (request !== asked.current) return;
      setWhere(found);
      if (found.kind === "city") setCityText(found.city);
    });
  };
  useEffect(nearMe, []);

  const search = (e: Event) => {
    e.preventDefault();
    const city = cityText.trim();
    asked.current += 1;
    setWhere(city ? { kind: "city", city } : { kind: "anywhere" });
  };

  const fallback = (where.kind === "city" || where.kind === "anywhere") && where.fallback;
  return (
    <section>
      <PageTitle>Events near me</PageTitle>
      <form class="event-filters" role="search" aria-label="Find events" onSubmit={search}>
        <div class="event-filter-grid">
          <div>
            <label for="event-city">City</label>
            <input id="event-city" name="city" autocomplete="address-level2" aria-describedby="event-city-hint" value={cityText}
              onInput={(e: Event) => setCityText((e.currentTarget as HTMLInputElement).value)}
            />
            <p class="hint" id="event-city-hint">
              As events write it, e.g. Buenos Aires; empty for everywhere.
            </p>
          </div>
          <div>
            <label for="event-type">Type</label>
            <select id="event-type" value={type} onChange={(e: Event) => setType((e.currentTarget as HTMLSelectElement).value as EventType | "")}>
              <option value="">Any type</option>
              {EVENT_TYPES.map((t) => (
                <option value={t}>{typeLabel(t)}</option>
              ))}
            </select>
          </div>
          {where.kind === "near" && (
            <div>
              <label for="event-radius">Within</label>
              <select id="event-radius" value={String(radiusKm)} onChange={(e: Event) => setRadiusKm(Number((e.currentTarget as HTMLSelectElement).value))}>
                {RADII.map((r) => (
                  <option value={String(r)}>{r} km</option>
                ))}
              </select>
            </div>
          )}
        </div>
        <div class="toolbar">
          <button type="submit">Search</button>
          <button type="button" class="secondary" onClick={nearMe} disabled={where.kind === "locating"}>
            Near me
          </button>
        </div>
      </form>
      <div role="status" aria-live="polite">
        {fallback && (
          <p class="event-note" data-testid="location-fallback">
            We could not use your location: {fallback}.{" "}
            {where.kind === "city" ? `Showing events in ${where.city}, the city on your profile.` : "Add your city to your profile, or search a city above."}
          </p>
        )}
        <h2 class="event-summary">{summary(where, radiusKm)}</h2>
        {pages.key !== null && pages.cursor === null && pages.items.length === 0 && <p class="empty">No upcoming events here yet.</p>}
      </div>
      <ProblemMessage error={pages.error} />
      <ul class="plain event-list">
        {pages.items.map((event) => (
          <Card event={event} />
        ))}
      </ul>
      {pages.cursor !== undefined && pages.items.length > 0 && <LoadMore onMore={pages.more} busy={pages.busy} done={pages.cursor === null} />}
    </section>
  );
}
