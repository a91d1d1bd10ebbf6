/**
 * An event's page: what, when, where, who organizes it and who is going, the dancer's RSVP
 * (going with a role, interested, not going; the waitlist position when the event is full),
 * cancelling it, and the event as an iCalendar file. The RSVP state shown is always the
 * event as re-read after a change, so it is what a reload would show.
 */
import { useEffect, useState } from "hono/jsx/dom";
import { ApiError, type Me, api, done, ok, problemOf } from "../api";
import { href } from "../router";
import { Avatar, PageTitle, ProblemMessage, Submit, useLoad } from "../ui";
import { type EventDetail, When, goingLine, placeOf, rsvpSentence, typeLabel } from "./event-parts";

type Choice = "going" | "interested" | "not_going";
type Role = "leader" | "follower";

/** The role to offer first: the one last given, else the profile's, else leader. */
function defaultRole(event: EventDetail, user: Me): Role {
  if (event.viewer.rsvp?.role) return event.viewer.rsvp.role;
  return user.tangoRoles.includes("follower") && !user.tangoRoles.includes("leader") ? "follower" : "leader";
}

function Attendees({ id, going }: { id: number; going: number }) {
  const list = useLoad(() => ok(api.api.events[":id"].attendees.$get({ param: { id: String(id) }, query: { limit: "20" } })), [id, going]);
  if (going === 0) return <p class="muted">Nobody is going yet.</p>;
  if (list.error) return <ProblemMessage error={list.error} />;
  const people = list.data?.items ?? [];
  return (
    <>
      <ul class="plain event-attendees">
        {people.map((a) => (
          <li>
            <a href={href.profile(a.username)} class="row">
              <Avatar name={a.name} src={a.profileImage} size={28} />
              <span>
                {a.name}
                {a.role && <span class="muted"> · {a.role}</span>}
              </span>
            </a>
          </li>
        ))}
      </ul>
      {going > people.length && list.data && <p class="muted">and {going - people.length} more whose profiles are not shown to you.</p>}
    </>
  );
}

function Rsvp({ event, user, onChanged }: { event: EventDetail; user: Me; onChanged: () => void }) {
  const rsvp = event.viewer.rsvp;
  const stored: Choice | null = rsvp ? (rsvp.status === "waitlisted" ? "going" : rsvp.status) : null;
  const [choice, setChoice] = useState<Choice>(stored ?? "going");
  const [role, setRole] = useState<Role>(defaultRole(event, user));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (stored) setChoice(stored);
    if (rsvp?.role) setRole(rsvp.role);
  }, [stored, rsvp?.role]);

  const param = { id: String(event.id) };
  const run = (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    action()
      .then(onChanged, setError)
      .finally(() => setBusy(false));
  };
  const answer = (e: Event) => {
    e.preventDefault();
    run(() => ok(api.api.events[":id"].rsvp.$post({ param, json: choice === "going" ? { status: choice, role } : { status: choice } })));
  };
  const withdraw = () => run(() => done(api.api.events[":id"].rsvp.$delete({ param })));

  if (event.status === "cancelled") return <p class="notice">This event was cancelled: it takes no answers.</p>;
  return (
    <>
      <p class={rsvp?.status === "waitlisted" ? "event-note" : "event-mine"} role="status" aria-live="polite" data-testid="rsvp-state">
        {rsvpSentence(rsvp)}
      </p>
      <form onSubmit={answer} aria-label="Your answer">
        <fieldset class="event-choices">
          <legend>Are you going?</legend>
          {(
            [
              ["going", "Going"],
              ["interested", "Interested"],
              ["not_going", "Not going"],
            ] as const
          ).map(([value, label]) => (
            <label class="event-choice">
              <input type="radio" name="status" value={value} checked={choice === value} onChange={() => setChoice(value)} />
              {label}
            </label>
          ))}
        </fieldset>
        {choice === "going" && (
          <>
            <label for="rsvp-role">Your role</label>
            <select id="rsvp-role" value={role} onChange={(e: Event) => setRole((e.currentTarget as HTMLSelectElement).value as Role)}>
              <option value="leader">Leader</option>
              <option value="follower">Follower</option>
            </select>
          </>
        )}
        <ProblemMessage error={error} />
        <div class="toolbar">
          <Submit busy={busy}>Save my answer</Submit>
          {rsvp && (
            <button type="button" class="secondary" disabled={busy} onClick={withdraw}>
              Cancel my RSVP
            </button>
          )}
        </div>
      </form>
    </>
  );
}

/** Fetches the .ics through the session (a private group's event needs it) and hands it to the browser as a file. */
function CalendarButton({ id }: { id: number }) {
  const [error, setError] = useState<unknown>(null);
  const download = async () => {
    setError(null);
    try {
      const res = await api.api.events[":id"]["calendar.ics"].$get({ param: { id: String(id) } });
      if (!res.ok) throw await problemOf(res as unknown as Response);
      const url = URL.createObjectURL(await res.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = `event-${id}.ics`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      setError(error instanceof ApiError ? error : new ApiError(0, "network_error", "The network is unreachable. Check your connection and try again."));
    }
  };
  return (
    <>
      <button type="button" class="secondary" onClick={() => void download()}>
        Add to calendar (.ics)
      </button>
      <ProblemMessage error={error} />
    </>
  );
}

function Details({ event }: { event: EventDetail }) {
  const caps = [
    `Leaders: ${event.counts.leaders}${event.maxLeaders !== null ? ` of ${event.maxLeaders}` : ""}`,
    `Followers: ${event.counts.followers}${event.maxFollowers !== null ? ` of ${event.maxFollowers}` : ""}`,
  ].join(" · ");
  const circle = event.circleGoing.friends + event.circleGoing.following;
  return (
    <dl class="event-facts">
      <dt>When</dt>
      <dd>
        <When start={event.startDate} zone={event.timezone} />
        {event.endDate && (
          <p class="muted">
            Until <When start={event.endDate} zone={event.timezone} />
          </p>
        )}
      </dd>
      <dt>Where</dt>
      <dd>
        <p>{placeOf(event)}</p>
        {event.address && <p class="muted">{event.address}</p>}
        {event.meetingUrl && (
          <p>
            <a href={event.meetingUrl} rel="noopener noreferrer" target="_blank">
              Join online
            </a>
          </p>
        )}
      </dd>
      <dt>Price</dt>
      <dd>
        {event.isPaid && event.price ? `${event.price} ${event.currency ?? ""}`.trim() : "Free"}
        {event.ticketUrl && (
          <>
            {" · "}
            <a href={event.ticketUrl} rel="noopener noreferrer" target="_blank">
              Tickets
            </a>
          </>
        )}
      </dd>
      <dt>Going</dt>
      <dd data-testid="event-going">
        <p>
          {goingLine(event)} · {event.counts.interested} interested
        </p>
        <p class="muted">{caps}</p>
        {circle > 0 && (
          <p>
            {event.circleGoing.friends} friends and {event.circleGoing.following} dancers you follow are going
          </p>
        )}
      </dd>
    </dl>
  );
}

export function EventPage({ id, user }: { id: number; user: Me }) {
  const event = useLoad(() => ok(api.api.events[":id"].$get({ param: { id: String(id) } })), [id]);

  // Moving from one event to another keeps this page mounted: the last event is not this one.
  const data = event.data?.id === id ? event.data : undefined;
  if (!data) {
    const missing = event.error instanceof ApiError && event.error.status === 404;
    return (
      <section>
        <PageTitle>{event.error ? (missing ? "Event not found" : "Event unavailable") : "Event"}</PageTitle>
        {event.loading && <p class="loading">Loading the event…</p>}
        <ProblemMessage error={event.error} />
        {event.error !== null && (
          <p>
            <a href={href.events()}>Back to events</a>
          </p>
        )}
      </section>
    );
  }
  const e = data;
  return (
    <article class="event-page">
      <p class="event-type">
        {typeLabel(e.eventType)}
        {e.status === "cancelled" && <strong class="event-cancelled"> · Cancelled</strong>}
      </p>
      <PageTitle>{e.title}</PageTitle>
      <p class="row">
        <Avatar name={e.organizer.name} src={e.organizer.profileImage} size={32} />
        <span>
          Organized by <a href={href.profile(e.organizer.username)}>{e.organizer.name}</a>
        </span>
      </p>
      <ProblemMessage error={event.error} />
      <Details event={e} />
      <section class="card" aria-labelledby="rsvp-title">
        <h2 id="rsvp-title">Your answer</h2>
        <Rsvp event={e} user={user} onChanged={event.reload} />
      </section>
      <CalendarButton id={e.id} />
      {e.description && (
        <section>
          <h2>About</h2>
          <p class="event-description">{e.description}</p>
        </section>
      )}
      <section>
        <h2>Who is going</h2>
        <Attendees id={e.id} going={e.counts.going} />
      </section>
      <p>
        <a href={href.events()}>Back to events</a>
      </p>
    </article>
  );
}
