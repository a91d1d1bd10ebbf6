/**
 * A chat room's socket and outbox (API.md, "Chat WebSocket messages"; README, "Chat: rooms'
 * sockets"). The page renders what this holds and calls `send`, `typed` and `stop`.
 *
 * Every send goes through the outbox, kept in localStorage per dancer and room, so a message
 * typed offline survives a reload. The outbox goes out in order, one frame at a time (the next
 * after the previous one's ack), which keeps it under the socket's write limit; a
 * `rate_limited` answer is retried after its `retryAfterMs`. After every (re)connect the room
 * replays what was missed (`resume` from the last message seen without a gap) before the outbox
 * is sent again with the SAME client ids: a send whose ack was lost is acknowledged again with
 * its first id and never stored twice.
 */
import type { InferResponseType } from "hono/client";
import { ApiError, accessToken, api, ok, onSessionChange, socketUrl } from "../api";

export type ChatMessage = InferResponseType<(typeof api.api.chat.rooms)[":id"]["messages"]["$get"], 200>["items"][number];

export interface Receipt {
  userId: number;
  readId: number;
  deliveredId: number;
}

/** A message in the outbox: typed, not yet acknowledged by the room. */
export interface Pending {
  clientId: string;
  text: string;
  createdAt: string;
}

/** `open`: ready and caught up; `connecting`: (re)opening; `offline`: the browser says so; `closed`: for good (removed, blocked, deleted). */
export type Status = "connecting" | "open" | "offline" | "closed";

type ServerFrame =
  | { type: "ready"; roomId: number; userId: number; lastMessageId: number; reads: Receipt[]; online: number[]; typing: number[] }
  | { type: "message" | "edited"; message: ChatMessage }
  | { type: "ack"; clientId: string; id: number; duplicate: boolean }
  | { type: "typing"; userId: number; isTyping: boolean }
  | { type: "read" | "delivered"; userId: number; messageId: number }
  | { type: "deleted"; messageId: number }
  | { type: "resumed"; afterId: number; lastId: number; more: boolean }
  | { type: "error"; code: string; message: string; clientId?: string; retryAfterMs?: number }
  | { type: "pong" | "presence" | "reaction" };

/** Close codes after which the room will not take this dancer back (chat.protocol.ts `CLOSE`). */
const FINAL_CLOSES: Record<number, string> = {
  4001: "You are no longer a member of this room.",
  4002: "You can no longer write to each other.",
  4003: "This room no longer exists.",
  4004: "This account can no longer be used.",
};

/** The room counts typing as stopped this long after the last frame (TYPING_EXPIRES_MS). */
const TYPING_EXPIRES_MS = 5000;
/** While the dancer types, `typing` is repeated this often, under the room's 2 s broadcast throttle and 5 s expiry. */
const TYPING_REPEAT_MS = 1500;
/** A pause this long in typing sends `typing: false`. */
const TYPING_PAUSE_MS = 3000;

function outboxKey(userId: number, roomId: number): string {
  return `mt:chat-outbox:${userId}:${roomId}`;
}

function loadOutbox(key: string): Pending[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(key) ?? "[]");
    if (!Array.isArray(stored)) return [];
    return (stored as Partial<Pending>[]).filter((p): p is Pending => typeof p?.clientId === "string" && typeof p?.text === "string" && typeof p?.createdAt === "string");
  } catch {
    return [];
  }
}

export class RoomChannel {
  /** Confirmed messages by id (history, frames, acks). */
  readonly messages = new Map<number, ChatMessage>();
  readonly receipts = new Map<number, Receipt>();
  /** Who is typing, until when (ms). */
  readonly typing = new Map<number, number>();
  outbox: Pending[];
  status: Status = navigator.onLine ? "connecting" : "offline";
  /** The last refusal to show (a send the room would not take, a final close). */
  problem: string | null = null;

  private ws: WebSocket | null = null;
  private token: string | null = null;
  /** Every message up to this id is in `messages` (or older than the history loaded): where a resume starts. */
  private seen = 0;
  private ready = false;
  private inFlight: string | null = null;
  private readSent = 0;
  private deliveredSent = 0;
  private failures = 0;
  private typingSentAt = 0;
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pauseTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private stopSession: (() => void) | null = null;
  private readonly key: string;

  constructor(
    readonly roomId: number,
    readonly userId: number,
    private readonly changed: () => void,
  ) {
    this.key = outboxKey(userId, roomId);
    this.outbox = loadOutbox(this.key);
  }

  /** Takes the first history page (newest first), then opens the socket and follows the network and the session. */
  start(newestFirst: ChatMessage[]): void {
    this.addHistory(newestFirst);
    this.seen = Math.max(this.seen, newestFirst[0]?.id ?? 0);
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    document.addEventListener("visibilitychange", this.acknowledge);
    // A renewed access token: the socket reopens with it.
    this.stopSession = onSessionChange((user) => user && accessToken() !== this.token && this.reconnect());
    this.connect();
  }

  stop(): void {
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    document.removeEventListener("visibilitychange", this.acknowledge);
    this.stopSession?.();
    for (const timer of this.timers) clearTimeout(timer);
    clearTimeout(this.pauseTimer);
    this.status = "closed";
    this.drop();
  }

  /** Older pages of the history (they change neither the resume point nor the receipts). */
  addHistory(items: ChatMessage[]): void {
    for (const message of items) if (!this.messages.has(message.id)) this.messages.set(message.id, message);
    this.changed();
  }

  /** Queues a message; it goes out now if the room is ready, else after the next reconnect. */
  send(text: string, clientId: string): void {
    this.outbox = [...this.outbox, { clientId, text, createdAt: new Date().toISOString() }];
    this.saveOutbox();
    this.stopTyping();
    this.flush();
    this.changed();
  }

  /** The dancer typed in the composer: `typing` now and then, `false` after a pause or when it is empty. */
  typed(hasText: boolean): void {
    clearTimeout(this.pauseTimer);
    if (!hasText) return this.stopTyping();
    const now = Date.now();
    if (now - this.typingSentAt >= TYPING_REPEAT_MS && this.frame({ type: "typing", isTyping: true })) this.typingSentAt = now;
    this.pauseTimer = setTimeout(() => this.stopTyping(), TYPING_PAUSE_MS);
  }

  /** The newest confirmed message's id (0 when none). */
  newestId(): number {
    let newest = 0;
    for (const id of this.messages.keys()) newest = Math.max(newest, id);
    return newest;
  }

  // The socket

  private connect(): void {
    this.drop();
    clearTimeout(this.retryTimer);
    this.token = accessToken();
    if (!navigator.onLine) return this.setStatus("offline");
    if (!this.token) return this.setStatus("connecting");
    this.setStatus("connecting");
    const ws = new WebSocket(socketUrl(`/api/chat/rooms/${this.roomId}/ws`), ["bearer", this.token]);
    this.ws = ws;
    ws.onmessage = (event) => {
      if (this.ws !== ws || typeof event.data !== "string") return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(event.data) as ServerFrame;
      } catch {
        return;
      }
      this.receive(frame);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.ready = false;
      this.inFlight = null;
      clearInterval(this.pingTimer);
      const final = FINAL_CLOSES[event.code];
      if (final) {
        this.problem = final;
        return this.setStatus("closed");
      }
      if (!navigator.onLine) return this.setStatus("offline");
      this.setStatus("connecting");
      this.retryLater();
    };
  }

  /** Forgets the current socket (its late events are ignored) and closes it. */
  private drop(): void {
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    this.inFlight = null;
    clearInterval(this.pingTimer);
    clearTimeout(this.retryTimer);
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, "client closed");
  }

  private reconnect = (): void => {
    if (this.status === "closed") return;
    this.failures = 0;
    this.connect();
  };

  private onOnline = (): void => this.reconnect();

  /**
   * The browser lost the network: the socket counts as closed whether or not it noticed (an
   * open socket can sit silent for minutes), so new messages wait in the outbox.
   */
  private onOffline = (): void => {
    if (this.status === "closed") return;
    this.drop();
    this.setStatus("offline");
  };

  /** Backoff up to 30 s. A socket that keeps failing to open asks the API why (a 401 renews the token, a 404 ends the room). */
  private retryLater(): void {
    this.failures += 1;
    if (this.failures >= 2) {
      ok(api.api.chat.rooms[":id"].$get({ param: { id: String(this.roomId) } })).catch((error: unknown) => {
        if (!(error instanceof ApiError) || (error.status !== 404 && error.status !== 403)) return;
        this.problem = FINAL_CLOSES[4003]!;
        this.drop();
        this.setStatus("closed");
      });
    }
    this.retryTimer = setTimeout(() => this.connect(), Math.min(30_000, 500 * 2 ** Math.min(this.failures, 6)));
  }

  private frame(frame: Record<string, unknown>): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  private receive(frame: ServerFrame): void {
    switch (frame.type) {
      case "ready": {
        this.failures = 0;
        this.receipts.clear();
        for (const r of frame.reads) this.receipts.set(r.userId, r);
        const mine = this.receipts.get(this.userId);
        this.readSent = mine?.readId ?? 0;
        this.deliveredSent = mine?.deliveredId ?? 0;
        this.typing.clear();
        for (const id of frame.typing) if (id !== this.userId) this.typingFor(id, true);
        // Keeps proxies from closing an idle socket; the runtime answers without waking the room.
        this.pingTimer = setInterval(() => this.frame({ type: "ping" }), 30_000);
        if (frame.lastMessageId > this.seen) this.frame({ type: "resume", afterId: this.seen });
        else this.caughtUp();
        break;
      }
      case "resumed":
        this.seen = Math.max(this.seen, frame.lastId);
        if (frame.more) this.frame({ type: "resume", afterId: this.seen });
        else this.caughtUp();
        break;
      case "message":
      case "edited":
        this.typing.delete(frame.message.userId);
        this.confirm(frame.message);
        // Another of my devices sent it: it is no longer pending here either.
        if (frame.message.userId === this.userId) this.unqueue(frame.message.clientId);
        break;
      case "deleted": {
        const message = this.messages.get(frame.messageId);
        if (message) this.messages.set(message.id, { ...message, text: "", deletedAt: new Date().toISOString() });
        break;
      }
      case "ack":
        this.acked(frame.clientId, frame.id);
        break;
      case "typing":
        this.typingFor(frame.userId, frame.isTyping);
        break;
      case "read":
      case "delivered": {
        const current = this.receipts.get(frame.userId) ?? { userId: frame.userId, readId: 0, deliveredId: 0 };
        const readId = frame.type === "read" ? Math.max(current.readId, frame.messageId) : current.readId;
        this.receipts.set(frame.userId, { userId: frame.userId, readId, deliveredId: Math.max(current.deliveredId, readId, frame.messageId) });
        break;
      }
      case "error":
        this.refused(frame);
        break;
      default:
        return;
    }
    this.changed();
  }

  private caughtUp(): void {
    this.ready = true;
    this.setStatus("open");
    this.acknowledge();
    this.flush();
  }

  private setStatus(status: Status): void {
    if (this.status === "closed" && status !== "closed") return;
    this.status = status;
    this.changed();
  }

  // Messages and the outbox

  private confirm(message: ChatMessage): void {
    this.messages.set(message.id, message);
    while (this.messages.has(this.seen + 1)) this.seen += 1;
    this.acknowledge();
  }

  private acked(clientId: string, id: number): void {
    const pending = this.outbox.find((p) => p.clientId === clientId);
    if (clientId === this.inFlight) this.inFlight = null;
    if (pending && !this.messages.has(id)) {
      this.confirm({
        id,
        roomId: this.roomId,
        userId: this.userId,
        clientId,
        text: pending.text,
        mediaUrl: null,
        mediaType: null,
        replyToId: null,
        createdAt: pending.createdAt,
        editedAt: null,
        deletedAt: null,
        reactions: [],
      });
    }
    this.unqueue(clientId);
    this.flush();
  }

  private unqueue(clientId: string | null): void {
    if (!clientId || !this.outbox.some((p) => p.clientId === clientId)) return;
    this.outbox = this.outbox.filter((p) => p.clientId !== clientId);
    this.saveOutbox();
  }

  /** Sends the oldest message of the outbox, when the room is ready and nothing awaits its ack. */
  private flush(): void {
    if (!this.ready || this.inFlight) return;
    const next = this.outbox[0];
    if (!next) return;
    if (this.frame({ type: "send", clientId: next.clientId, text: next.text })) this.inFlight = next.clientId;
  }

  private refused(frame: Extract<ServerFrame, { type: "error" }>): void {
    const sending = frame.clientId !== undefined && frame.clientId === this.inFlight;
    if (frame.code === "rate_limited" && sending) {
      // Still first in the outbox: the same send again once the room's budget refills.
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.inFlight !== frame.clientId) return;
        this.inFlight = null;
        this.flush();
      }, frame.retryAfterMs ?? 1000);
      this.timers.add(timer);
      return;
    }
    if (sending) {
      // The room will never take this one (too long, not allowed...): drop it so the rest can go.
      const text = this.outbox.find((p) => p.clientId === frame.clientId)?.text ?? "";
      this.inFlight = null;
      this.unqueue(frame.clientId!);
      this.problem = `Not sent (“${text.slice(0, 40)}”): ${frame.message}`;
      this.flush();
      return;
    }
    this.problem = frame.message;
  }

  private saveOutbox(): void {
    try {
      if (this.outbox.length) localStorage.setItem(this.key, JSON.stringify(this.outbox));
      else localStorage.removeItem(this.key);
    } catch {
      // Storage full or refused: the outbox still lives in memory for this page.
    }
  }

  // Receipts and typing

  /** Tells the room what this dancer has: read when the page is visible, delivered otherwise. */
  private acknowledge = (): void => {
    if (!this.ready) return;
    const newest = this.newestId();
    if (document.visibilityState === "visible") {
      if (newest > this.readSent && this.frame({ type: "read", messageId: newest })) this.readSent = this.deliveredSent = newest;
    } else if (newest > this.deliveredSent && this.frame({ type: "delivered", messageId: newest })) {
      this.deliveredSent = newest;
    }
  };

  private stopTyping(): void {
    clearTimeout(this.pauseTimer);
    if (this.typingSentAt === 0) return;
    this.typingSentAt = 0;
    this.frame({ type: "typing", isTyping: false });
  }

  /** Others' typing, expired by the client too (the room sends no stop when a typer just goes quiet). */
  private typingFor(userId: number, isTyping: boolean): void {
    if (!isTyping) {
      this.typing.delete(userId);
      return;
    }
    const until = Date.now() + TYPING_EXPIRES_MS;
    this.typing.set(userId, until);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.typing.get(userId) !== until) return;
      this.typing.delete(userId);
      this.changed();
    }, TYPING_EXPIRES_MS);
    this.timers.add(timer);
  }
}
