/**
 * Chat: the dancer's rooms (latest activity first, unread counts kept live by /api/live's
 * `room_activity` frames), opening a direct room by username, and a room: its history, then
 * its socket (chat-room.ts) for new messages, typing, read receipts and the offline outbox.
 */
import "./chat.css";
import type { InferResponseType } from "hono/client";
import { useEffect, useRef, useState } from "hono/jsx/dom";
import { type Me, api, newClientId, ok } from "../api";
import { useLive } from "../live";
import { href, navigate } from "../router";
import { Avatar, LoadMore, PageTitle, ProblemMessage, Submit, TimeAgo, useLoad, usePages } from "../ui";
import { type ChatMessage, RoomChannel, type Status } from "./chat-room";

type Room = InferResponseType<typeof api.api.chat.rooms.$get, 200>["items"][number];

/** A group's name, or a direct room's other dancer. */
function roomName(room: Room): string {
  return room.name ?? (room.members.map((m) => m.name).join(", ") || "Just you");
}

const getRoom = (id: number) => ok(api.api.chat.rooms[":id"].$get({ param: { id: String(id) } }));

function RoomItem({ room, user }: { room: Room; user: Me }) {
  const name = roomName(room);
  const last = room.lastMessage;
  return (
    <li class={room.unreadCount > 0 ? "room unread" : "room"} data-testid="room" data-room-id={room.id}>
      <Avatar name={name} src={room.avatar ?? room.members[0]?.profileImage} size={44} />
      <div class="grow">
        <div class="room-head">
          <a href={href.room(room.id)} class="room-name">
            {name}
          </a>
          {last && <TimeAgo at={last.createdAt} />}
        </div>
        <p class="room-preview">
          {last ? `${last.userId === user.id ? "You: " : ""}${last.preview}` : <span class="muted">No messages yet</span>}
          {room.blocked && <span class="muted"> · read only</span>}
        </p>
      </div>
      {room.unreadCount > 0 && (
        <span class="chat-unread" data-testid="room-unread" aria-label={`${room.unreadCount} unread`}>
          {room.unreadCount}
        </span>
      )}
    </li>
  );
}

/** A username -> that dancer's profile -> the pair's direct room (get-or-create) -> the room. */
function NewChat() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const input = (e.currentTarget as HTMLFormElement).elements.namedItem("username") as HTMLInputElement;
    const username = input.value.trim().replace(/^@/, "");
    if (!username) return setError(new Error("Enter the username of the dancer you want to write to."));
    setBusy(true);
    setError(null);
    try {
      const dancer = await ok(api.api.users[":idOrUsername"].$get({ param: { idOrUsername: username } }));
      const room = await ok(api.api.chat.rooms.$post({ header: {}, json: { type: "direct", userId: dancer.id } }));
      navigate(href.room(room.id));
    } catch (error) {
      setError(error);
      setBusy(false);
    }
  };
  return (
    <form class="card new-chat" onSubmit={(e: Event) => void submit(e)} aria-labelledby="new-chat-title" novalidate>
      <h2 id="new-chat-title">New chat</h2>
      <label for="chat-username">Username</label>
      <div class="row">
        <input id="chat-username" name="username" autocomplete="off" autocapitalize="none" spellcheck={false} required />
        <Submit busy={busy}>Open chat</Submit>
      </div>
      <ProblemMessage error={error} />
    </form>
  );
}

export function ChatPage({ user }: { user: Me }) {
  const { items: rooms, setItems: setRooms, cursor, busy, error, more } = usePages<Room>((cursor) =>
    ok(api.api.chat.rooms.$get({ query: { limit: "20", ...(cursor ? { cursor } : {}) } })),
  );
  const [announcement, setAnnouncement] = useState("");
  const known = useRef<Room[]>([]);
  known.current = rooms;

  // A message in a room this page does not show (a new room, or one on a later page): fetch it.
  const bringUp = (roomId: number) =>
    getRoom(roomId).then(
      (room) => setRooms((current) => [room, ...current.filter((r) => r.id !== room.id)]),
      () => undefined,
    );

  useLive((frame) => {
    if (frame.type !== "room_activity") return;
    const room = known.current.find((r) => r.id === frame.roomId);
    if (!room) return void bringUp(frame.roomId);
    // `count` is how many messages by others this activity brought; a replay of one we have changes nothing.
    if (room.lastMessage && room.lastMessage.id >= frame.message.id) return;
    const updated: Room = { ...room, lastMessage: frame.message, unreadCount: room.unreadCount + frame.count };
    setRooms((current) => [updated, ...current.filter((r) => r.id !== frame.roomId)]);
    setAnnouncement(`New message in ${roomName(room)}: ${frame.message.preview}`);
  });

  return (
    <section class="chat-rooms">
      <PageTitle>Chat</PageTitle>
      <NewChat />
      <h2>Your rooms</h2>
      <ProblemMessage error={error} />
      <p class="visually-hidden" role="status">
        {announcement}
      </p>
      {rooms.length === 0 && cursor === null ? <p class="empty">No conversations yet: open one with a dancer's username.</p> : null}
      <ul class="rooms">
        {rooms.map((room) => (
          <RoomItem room={room} user={user} />
        ))}
      </ul>
      {cursor !== undefined && <LoadMore onMore={more} busy={busy} done={cursor === null} />}
    </section>
  );
}

// A room

/** "Seen" on my newest message another member has read; "Delivered" or "Sent" on my newest otherwise. */
function receiptLabels(channel: RoomChannel, messages: ChatMessage[], me: number, names: Map<number, string>, group: boolean): Map<number, string> {
  const others = [...channel.receipts.values()].filter((r) => r.userId !== me);
  const mine = messages.filter((m) => m.userId === me);
  const labels = new Map<number, string>();
  const newest = mine.at(-1);
  const seen = [...mine].reverse().find((m) => others.some((r) => r.readId >= m.id));
  if (seen) {
    const readers = others.filter((r) => r.readId >= seen.id).map((r) => names.get(r.userId) ?? "someone");
    labels.set(seen.id, group ? `Seen by ${readers.join(", ")}` : "Seen");
  }
  if (newest && newest.id !== seen?.id) labels.set(newest.id, others.some((r) => r.deliveredId >= newest.id) ? "Delivered" : "Sent");
  return labels;
}

function typingText(channel: RoomChannel, names: Map<number, string>): string {
  const who = [...channel.typing.keys()].map((id) => names.get(id) ?? "Someone");
  if (who.length === 0) return "";
  return who.length === 1 ? `${who[0]} is typing…` : `${who.join(", ")} are typing…`;
}

function connection(status: Status, waiting: number): string {
  const queued = waiting ? ` ${waiting} waiting to be sent.` : "";
  if (status === "offline") return `You are offline: new messages wait here and go out when the network returns.${queued}`;
  if (status === "connecting") return `Connecting…${queued}`;
  return "";
}

function Message({ m, mine, author, label }: { m: ChatMessage; mine: boolean; author: string | null; label?: string }) {
  return (
    <li class={mine ? "msg mine" : "msg"} data-testid="message" data-id={m.id}>
      {author && <span class="msg-author">{author}</span>}
      <p class="msg-text">
        <span class="visually-hidden">{mine ? "You" : (author ?? "They")}: </span>
        {m.deletedAt ? <em class="muted">Message deleted</em> : m.text}
      </p>
      <span class="msg-meta">
        <TimeAgo at={m.createdAt} />
        {label && <span class="msg-status"> · {label}</span>}
      </span>
    </li>
  );
}

export function RoomPage({ id, user }: { id: number; user: Me }) {
  const room = useLoad(() => getRoom(id), [id]);
  const [, setVersion] = useState(0);
  const [channel, setChannel] = useState<RoomChannel | null>(null);
  const [older, setOlder] = useState<{ cursor: string | null; busy: boolean }>({ cursor: null, busy: false });
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const composer = useRef<HTMLTextAreaElement>(null);
  const nearBottom = useRef(true);
  const lastShown = useRef("");

  useEffect(() => {
    const ch = new RoomChannel(id, user.id, () => setVersion((v) => v + 1));
    let current = true;
    setError(null);
    ok(api.api.chat.rooms[":id"].messages.$get({ param: { id: String(id) }, query: { limit: "30" } })).then(
      (page) => {
        if (!current) return;
        ch.start(page.items);
        setOlder({ cursor: page.nextCursor, busy: false });
        setChannel(ch);
      },
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
      ch.stop();
    };
  }, [id, user.id, attempt]);

  useEffect(() => {
    const onScroll = () => {
      const el = document.scrollingElement ?? document.documentElement;
      nearBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 160;
    };
    window.addEventListener("scroll", onScroll, { passive: true });
    return () => window.removeEventListener("scroll", onScroll);
  }, []);

  const messages = channel ? [...channel.messages.values()].sort((a, b) => a.id - b.id) : [];
  const outbox = channel?.outbox ?? [];

  // New messages keep the view at the bottom, unless the dancer scrolled up to read.
  const shown = `${messages.at(-1)?.id ?? 0}:${outbox.length}`;
  useEffect(() => {
    if (shown === lastShown.current) return;
    lastShown.current = shown;
    if (nearBottom.current) window.scrollTo(0, (document.scrollingElement ?? document.documentElement).scrollHeight);
  }, [shown]);

  const loadOlder = () => {
    if (!channel || !older.cursor || older.busy) return;
    setOlder({ ...older, busy: true });
    ok(api.api.chat.rooms[":id"].messages.$get({ param: { id: String(id) }, query: { limit: "30", cursor: older.cursor } })).then(
      (page) => {
        channel.addHistory(page.items);
        setOlder({ cursor: page.nextCursor, busy: false });
      },
      (e: unknown) => {
        setError(e);
        setOlder((o) => ({ ...o, busy: false }));
      },
    );
  };

  const submit = (e: Event) => {
    e.preventDefault();
    const box = composer.current;
    const text = box?.value.trim() ?? "";
    if (!channel || !box || !text) return;
    channel.send(text, newClientId());
    box.value = "";
    nearBottom.current = true;
    box.focus();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    // Enter sends, Shift+Enter is a new line.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) submit(e);
  };

  const info = room.data;
  const names = new Map<number, string>(info?.members.map((m) => [m.id, m.name]) ?? []);
  const group = info ? info.type !== "direct" : false;
  const closed = channel?.status === "closed" || info?.blocked === true;
  const labels = channel ? receiptLabels(channel, messages, user.id, names, group) : new Map<number, string>();
  const pendingLabel = channel?.status === "open" ? "Sending…" : "Waiting for network";

  return (
    <section class="chat-room" data-status={channel?.status ?? "loading"}>
      <p class="back">
        <a href={href.chat()}>← All chats</a>
      </p>
      <PageTitle>{info ? roomName(info) : "Chat"}</PageTitle>
      <ProblemMessage error={room.error ?? error} />
      {error && !channel ? (
        <button type="button" class="secondary" onClick={() => setAttempt((a) => a + 1)}>
          Try again
        </button>
      ) : null}
      {!channel && !error ? (
        <p class="loading" role="status">
          Loading messages…
        </p>
      ) : null}
      {channel && (
        <>
          {older.cursor && (
            <div class="more">
              <button type="button" class="secondary" disabled={older.busy} onClick={loadOlder}>
                {older.busy ? "Loading…" : "Load older messages"}
              </button>
            </div>
          )}
          {messages.length === 0 && outbox.length === 0 ? <p class="empty">No messages yet: say hello.</p> : null}
          <ol class="messages" role="log" aria-label="Messages">
            {messages.map((m) => (
              <Message m={m} mine={m.userId === user.id} author={group && m.userId !== user.id ? (names.get(m.userId) ?? "A dancer") : null} label={labels.get(m.id)} />
            ))}
            {outbox.map((p) => (
              <li class="msg mine pending" data-testid="pending-message">
                <p class="msg-text">
                  <span class="visually-hidden">You: </span>
                  {p.text}
                </p>
                <span class="msg-meta msg-status">{pendingLabel}</span>
              </li>
            ))}
          </ol>
        </>
      )}
      <div class="composer-bar">
        <p class="typing" aria-live="polite" data-testid="typing">
          {channel ? typingText(channel, names) : ""}
        </p>
        <p class={channel?.status === "offline" ? "connection offline" : "connection"} role="status">
          {channel && channel.status !== "closed" ? connection(channel.status, outbox.length) : ""}
        </p>
        {channel?.problem && (
          <div class="problem" role="alert">
            <p>{channel.problem}</p>
          </div>
        )}
        {info?.blocked && <p class="notice">This conversation is read only now.</p>}
        <form class="composer" onSubmit={submit} aria-label="Write a message">
          <label for="chat-message" class="visually-hidden">
            Message
          </label>
          <textarea
            id="chat-message"
            ref={composer}
            rows={1}
            maxLength={4000}
            placeholder="Write a message"
            disabled={!channel || closed}
            onInput={(e: Event) => channel?.typed((e.currentTarget as HTMLTextAreaElement).value.trim() !== "")}
            onKeyDown={onKeyDown}
          />
          <button type="submit" disabled={!channel || closed}>
            Send
          </button>
        </form>
      </div>
    </section>
  );
}
