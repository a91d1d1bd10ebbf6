/**
 * Notifications: the list by latest activity (cursor pages), new ones arriving live over
 * `/api/live`, marked read one by one or all at once.
 */
import "./notifications.css";
import { type Me, api, done, ok } from "../api";
import { type Notification, useLive } from "../live";
import { href } from "../router";
import { Avatar, LoadMore, PageTitle, ProblemMessage, TimeAgo, usePages } from "../ui";

const SENTENCES: Record<string, (n: Notification, others: string) => string> = {
  post_like: (_n, others) => `liked your post${others}`,
  post_comment: (_n, others) => `commented on your post${others}`,
  post_share: () => "shared your post",
  mention: () => "mentioned you",
  new_follower: (_n, others) => `started following you${others}`,
  friend_request: () => "asked: did we dance?",
  friend_accepted: () => "accepted your friend request",
  event_rsvp: (_n, others) => `is going to your event${others}`,
  event_waitlist_promoted: () => "You have a place now: you are off the waitlist",
  event_reminder: () => "Your event starts soon",
  event_cancelled: () => "An event you were going to was cancelled",
};

/** What happened, in words: "Ana and 3 others liked your post". */
export function describe(n: Notification): string {
  const others = n.count > 1 ? ` (${n.count} times)` : "";
  const sentence = SENTENCES[n.type]?.(n, others) ?? n.type.replaceAll("_", " ");
  return n.actor ? `${n.actor.name} ${sentence}` : sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

/** Where a notification leads. */
function target(n: Notification): string | null {
  if (n.subjectType === "post" && n.subjectId) return href.post(n.subjectId);
  if (n.subjectType === "event" && n.subjectId) return href.event(n.subjectId);
  if (n.actor) return href.profile(n.actor.username);
  return null;
}

function Item({ n, onRead }: { n: Notification; onRead: (id: number) => void }) {
  const link = target(n);
  return (
    <li class={n.isRead ? "notification" : "notification unread"} data-testid="notification">
      <Avatar name={n.actor?.name ?? "Mundo Tango"} src={n.actor?.profileImage} size={36} />
      <div class="grow">
        <p>{link ? <a href={link}>{describe(n)}</a> : describe(n)}</p>
        <TimeAgo at={n.updatedAt} />
      </div>
      {!n.isRead && (
        <button type="button" class="secondary small" onClick={() => onRead(n.id)} aria-label={`Mark read: ${describe(n)}`}>
          Mark read
        </button>
      )}
    </li>
  );
}

export function NotificationsPage(_props: { user: Me }) {
  const { items, setItems, cursor, busy, error, setError, more } = usePages<Notification>((cursor) =>
    ok(api.api.notifications.$get({ query: { limit: "20", ...(cursor ? { cursor } : {}) } })),
  );

  // New or bumped ones go to the top; a read elsewhere is reflected by the next load.
  useLive((frame) => {
    if (frame.type !== "notifications" || frame.notifications.length === 0) return;
    setItems((current) => [...frame.notifications, ...current.filter((c) => !frame.notifications.some((n) => n.id === c.id))]);
  });

  const read = (id: number) =>
    done(api.api.notifications[":id"].read.$post({ param: { id: String(id) } })).then(
      () => setItems((current) => current.map((n) => (n.id === id ? { ...n, isRead: true } : n))),
      setError,
    );
  const readAll = () =>
    done(api.api.notifications["read-all"].$post()).then(() => setItems((current) => current.map((n) => ({ ...n, isRead: true }))), setError);

  return (
    <section>
      <PageTitle>Notifications</PageTitle>
      <div class="toolbar">
        <button type="button" class="secondary" onClick={() => void readAll()} disabled={!items.some((n) => !n.isRead)}>
          Mark all read
        </button>
      </div>
      <ProblemMessage error={error} />
      {items.length === 0 && cursor === null ? <p class="empty">No notifications yet.</p> : null}
      <ul class="notifications" aria-live="polite">
        {items.map((n) => (
          <Item n={n} onRead={(id) => void read(id)} />
        ))}
      </ul>
      {cursor !== undefined && <LoadMore onMore={more} busy={busy} done={cursor === null} />}
    </section>
  );
}
