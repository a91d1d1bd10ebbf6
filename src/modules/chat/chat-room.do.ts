import { DurableObject } from "cloudflare:workers";
import { createCtx, type Ctx } from "../../lib/context";
import { createDb } from "../../lib/db";
import { loadConfig } from "../../lib/env";
import { createLogger, type Logger } from "../../lib/logger";
import { userHubStub, type UserHubRpc } from "../live";
import { familyOfKey, isAllowedMediaUrl, MEDIA_PATH_PREFIX } from "../media";
import {
  type ChatMessage,
  CLOSE,
  ClientFrame,
  type FrameError,
  MAX_FRAME_BYTES,
  RATE_BURST,
  RATE_PER_SECOND,
  RESUME_PAGE,
  SendMessageInput,
  type ServerFrame,
  TYPING_EXPIRES_MS,
  TYPING_THROTTLE_MS,
} from "./chat.protocol";
import { type ChatRoomRpc, IDENTITY_HEADER, type RoomIdentity, type SendResult } from "./chat-room.rpc";
import { flushOutbox, type LiveTarget, memberReceipts } from "./chat-room.outbox";
import { messagesAfter } from "./history.service";
import { type RoomMeta, RoomStore, type StoredMessage } from "./chat-room.storage";
import {
  fail,
  type Failure,
  failureCode,
  fingerprint,
  IdentitySchema,
  instant,
  messageOf,
  problem,
  type Refusal,
  type SocketAttachment,
  tooLarge,
  userTag,
} from "./chat-room.support";

/** A ping frame the runtime answers itself, without waking the object. */
export const PING = JSON.stringify({ type: "ping" });
export const PONG = JSON.stringify({ type: "pong" });
/** How long after a change the outbox flushes (changes meanwhile join the same batch). */
export const FLUSH_DELAY_MS = 500;
/** Messages per flush; more are flushed by the next alarm, right away. */
export const FLUSH_BATCH = 500;
/** A flush not answered within this is abandoned (and retried: it is idempotent). */
export const FLUSH_TIMEOUT_MS = 8_000;
/** A failed flush is retried after this, doubling each time, up to {@link RETRY_MAX_MS}. */
export const RETRY_MIN_MS = 1_000;
export const RETRY_MAX_MS = 60_000;

/** Frames that write, counted by the per-connection rate limit. */
/**
 * How much later than a removal or a block a membership check may be stamped and still not have
 * seen it (its statement began before the change committed): such checks are refused as well.
 */
export const COMMIT_MARGIN_MS = 1_000;

const WRITES = new Set<ClientFrame["type"]>(["send", "edit", "delete", "react"]);

/**
 * One chat room's live side (one object per room, named `room:<id>`): its sockets (hibernating),
 * the numbering of its messages, receipts, typing, reactions, edits, and the outbox that flushes
 * them to Postgres. The Worker authenticates and checks membership before it forwards anything;
 * the object refuses only what it learnt of after that check (a removal, a block). State lives
 * in the object's SQLite (chat-room.storage.ts) and is reloaded by the constructor; memory holds
 * a cache of it and the per-connection rate limits (which an eviction may reset).
 */
export class ChatRoom extends DurableObject<Env> implements ChatRoomRpc {
  private readonly store: RoomStore;
  private meta!: RoomMeta;
  private removals!: Map<number, string>;
  /** When the next alarm is due (null: none set). */
  private alarmAt: number | null = null;
  private flushing: Promise<void> | null = null;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private socketCache: WebSocket[] | null = null;
  private readonly log: Logger;
  /** Writes per socket: a burst, then a rate (configurable for the benchmark, see lib/env.ts). */
  private readonly rate: { burst: number; perSecond: number };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new RoomStore(ctx.storage);
    const config = loadConfig(env);
    this.log = createLogger(config.LOG_LEVEL, { object: "ChatRoom" });
    this.rate = { burst: config.CHAT_RATE_BURST ?? RATE_BURST, perSecond: config.CHAT_RATE_PER_SECOND ?? RATE_PER_SECOND };
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    void ctx.blockConcurrencyWhile(async () => {
      this.store.migrate();
      this.meta = this.store.loadMeta();
      this.removals = this.store.removals();
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  // Upgrades (from the Worker, which checked the token and the membership)

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return problem(426, "upgrade_required", "Open the room with a WebSocket upgrade.");
    }
    let forwarded: unknown = null;
    try {
      forwarded = JSON.parse(request.headers.get(IDENTITY_HEADER) ?? "null");
    } catch {
      // Refused below, as no identity.
    }
    const parsed = IdentitySchema.safeParse(forwarded);
    if (!parsed.success || !this.adopt(parsed.data)) return problem(400, "bad_identity", "The upgrade did not come through the API.");
    const identity = parsed.data;
    await this.seedReceipts();
    // Checked after the only wait: a removal or a block that arrived meanwhile counts.
    const refused = this.refusal(identity.userId, identity.checkedAt);
    if (refused === "not_a_member") return problem(404, "not_found", "No such chat room.");
    if (refused === "blocked") return problem(403, "blocked", "You can no longer write to each other.");

    const { 0: client, 1: server } = new WebSocketPair();
    const wasOnline = this.isOnline(identity.userId);
    this.ctx.acceptWebSocket(server, [userTag(identity.userId)]);
    this.socketCache = null;
    const attachment: SocketAttachment = {
      userId: identity.userId,
      connId: crypto.randomUUID(),
      canSend: identity.canSend,
      checkedAt: identity.checkedAt,
    };
    server.serializeAttachment(attachment);
    this.sendTo(server, {
      type: "ready",
      roomId: this.meta.roomId,
      userId: identity.userId,
      lastMessageId: this.meta.lastSeq,
      reads: this.store.receipts(new Set(this.removals.keys())),
      online: this.onlineUsers(),
      typing: this.store.typingNow(Date.now()),
    });
    if (!wasOnline) this.broadcast({ type: "presence", userId: identity.userId, online: true }, server);
    return new Response(null, { status: 101, webSocket: client });
  }

  // Frames

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const socket = ws.deserializeAttachment() as SocketAttachment | null;
    if (!socket) {
      ws.close(1011, "unknown socket");
      return;
    }
    const refused = this.refusal(socket.userId, socket.checkedAt);
    if (refused) {
      this.closeFor(ws, refused);
      return;
    }
    if (typeof data !== "string") return this.error(ws, "binary_not_supported", "Send JSON text frames.");
    if (tooLarge(data)) return this.error(ws, "frame_too_large", `A frame is at most ${MAX_FRAME_BYTES} bytes.`);
    let raw: unknown;
    try {
      raw = JSON.parse(data);
    } catch {
      return this.error(ws, "invalid_json", "The frame is not valid JSON.");
    }
    const parsed = ClientFrame.safeParse(raw);
    if (!parsed.success) {
      const clientId = (raw as { clientId?: unknown } | null)?.clientId;
      const fields = parsed.error.issues.map((issue) => `${issue.path.join(".") || "frame"}: ${issue.message}`).join("; ");
      return this.error(ws, "invalid_frame", `The frame is not valid (${fields.slice(0, 300)}).`, {
        clientId: typeof clientId === "string" ? clientId.slice(0, 64) : undefined,
      });
    }
    const frame = parsed.data;
    if (WRITES.has(frame.type)) {
      const waitMs = this.take(`socket:${socket.connId}`);
      if (waitMs > 0) {
        return this.error(ws, "rate_limited", "Too many messages; slow down.", {
          clientId: frame.type === "send" ? frame.clientId : undefined,
          retryAfterMs: waitMs,
        });
      }
    }
    switch (frame.type) {
      case "send": {
        const { type: _type, ...input } = frame;
        const result = this.accept(socket.userId, socket.canSend, input);
        if (!result.ok) return this.error(ws, result.code, result.message, { clientId: frame.clientId });
        this.sendTo(ws, { type: "ack", clientId: frame.clientId, id: result.seq, duplicate: result.duplicate });
        if (result.stored) this.broadcast({ type: "message", message: messageOf(this.meta.roomId, result.stored) }, ws);
        return;
      }
      case "typing":
        return this.typing(ws, socket, frame.isTyping);
      case "read":
      case "delivered":
        return this.receipt(ws, socket.userId, frame.type, frame.messageId);
      case "react":
        return this.react(ws, socket, frame.messageId, frame.emoji, frame.on);
      case "edit":
        return this.edit(ws, socket, frame.messageId, frame.text);
      case "delete":
        return this.remove(ws, socket.userId, frame.messageId);
      case "resume":
        return this.resume(ws, frame.afterId);
    }
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    try {
      // 1005 and 1006 mean "no code" and may not be sent back.
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // Already closed on our side.
    }
    this.gone(ws);
  }

  override webSocketError(ws: WebSocket): void {
    this.gone(ws);
  }

  // Membership (RPC from the Worker, after the change committed in Postgres)

  async send(identity: RoomIdentity, input: SendMessageInput): Promise<SendResult> {
    const who = IdentitySchema.safeParse(identity);
    const body = SendMessageInput.safeParse(input);
    if (!who.success || !this.adopt(who.data)) return fail("invalid_frame", "The send did not come through the API.");
    if (!body.success) return fail("invalid_frame", "The message is not valid.");
    const refused = this.refusal(who.data.userId, who.data.checkedAt);
    if (refused) return fail(refused, refused === "blocked" ? "You can no longer write to each other." : "You are not a member of this room.");
    const waitMs = this.take(`rest:${who.data.userId}`);
    if (waitMs > 0) return fail("rate_limited", "Too many messages; slow down.", waitMs);
    const result = this.accept(who.data.userId, who.data.canSend, body.data);
    if (!result.ok) return result;
    const stored = this.store.message(result.seq);
    if (stored) {
      const message = messageOf(this.meta.roomId, stored, this.store.reactionsOf(result.seq, result.seq).get(result.seq));
      if (!result.duplicate) this.broadcast({ type: "message", message });
      return { ok: true, message, duplicate: result.duplicate };
    }
    // A retry of a message the object no longer keeps: Postgres has it.
    try {
      const [message] = await messagesAfter(this.pgCtx(), this.meta.roomId, result.seq - 1, 1, result.seq + 1);
      if (message) return { ok: true, message, duplicate: true };
    } catch (error) {
      this.log.warn("chat retry read failed", { roomId: this.meta.roomId, code: failureCode(error) });
    }
    return fail("unavailable", "The message was sent before; its text cannot be read right now.");
  }

  memberRemoved(roomId: number, userId: number, at: string): Promise<number> {
    this.adoptRoom(roomId);
    const current = this.removals.get(userId);
    if (current === undefined || instant(at) > instant(current)) {
      this.store.setRemoval(userId, at);
      this.removals.set(userId, at);
    }
    let closed = 0;
    for (const ws of this.ctx.getWebSockets(userTag(userId))) {
      const socket = ws.deserializeAttachment() as SocketAttachment | null;
      if (socket && instant(socket.checkedAt) < instant(at)) {
        this.closeFor(ws, "not_a_member");
        closed += 1;
      }
    }
    return Promise.resolve(closed);
  }

  memberAdded(roomId: number, userId: number, at: string): Promise<void> {
    this.adoptRoom(roomId);
    const current = this.removals.get(userId);
    if (current !== undefined && instant(current) <= instant(at)) {
      this.store.setRemoval(userId, null);
      this.removals.delete(userId);
    }
    return Promise.resolve();
  }

  setBlocked(roomId: number, blocked: boolean, at: string): Promise<number> {
    this.adoptRoom(roomId);
    if (this.meta.blockedAt && instant(at) < instant(this.meta.blockedAt)) return Promise.resolve(0);
    this.saveMeta({ blocked, blockedAt: at });
    let closed = 0;
    if (blocked) {
      for (const ws of this.ctx.getWebSockets()) {
        const socket = ws.deserializeAttachment() as SocketAttachment | null;
        if (socket && instant(socket.checkedAt) <= instant(at)) {
          this.closeFor(ws, "blocked");
          closed += 1;
        }
      }
    }
    return Promise.resolve(closed);
  }

  // The outbox

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    // One flush at a time: an alarm run by hand while one is in flight waits for it, then flushes what is left.
    while (this.flushing) await this.flushing;
    this.flushing = this.flush().finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  private async flush(): Promise<void> {
    const roomId = this.meta.roomId;
    if (!roomId) return;
    const batch = this.store.pending(FLUSH_BATCH, this.meta.lastSeq);
    if (!batch.messages.length && !batch.reactions.length && !batch.receipts.length) return;
    const started = Date.now();
    try {
      const result = await flushOutbox(this.pgCtx(FLUSH_TIMEOUT_MS), { roomId, batch, connected: this.onlineUsers() });
      if (!result.roomExists) return this.roomGone();
      this.store.atomically(() => {
        this.store.markFlushed(batch);
        this.saveMeta({ floor: this.store.trim(this.meta.lastSeq, this.meta.floor, Date.now()), retryMs: 0 });
      });
      this.log.info("chat flush", {
        roomId,
        messages: batch.messages.length,
        inserted: result.inserted,
        reactions: batch.reactions.length,
        receipts: batch.receipts.length,
        notified: result.notified,
        activities: result.activities,
        live: result.live.length,
        durationMs: Date.now() - started,
      });
      await this.publishLive(result.live);
      if (this.store.hasPending()) this.scheduleFlush(0);
    } catch (error) {
      const retryMs = Math.min(Math.max(RETRY_MIN_MS, this.meta.retryMs * 2), RETRY_MAX_MS);
      this.saveMeta({ retryMs });
      this.scheduleFlush(retryMs, true);
      this.log.warn("chat flush failed", {
        roomId,
        code: failureCode(error),
        messages: batch.messages.length,
        reactions: batch.reactions.length,
        receipts: batch.receipts.length,
        retryMs,
      });
    }
  }

  /** Room activity for members on a live channel elsewhere; a hub that cannot be reached is only logged. */
  private async publishLive(targets: LiveTarget[]): Promise<void> {
    if (!targets.length) return;
    const roomId = this.meta.roomId;
    const results = await Promise.allSettled(
      targets.map(async (target) => {
        const hub: Pick<UserHubRpc, "publish"> = userHubStub(this.env, target.userId);
        return hub.publish({ rooms: [{ type: "room_activity", roomId, message: target.message, count: target.count }] });
      }),
    );
    const failed = results.filter((r) => r.status === "rejected").length;
    if (failed) this.log.warn("chat live publish failed", { roomId, failed, targets: targets.length });
  }

  /** The room was deleted in Postgres: nothing more to keep or flush. */
  private roomGone(): void {
    this.log.info("chat room gone", { roomId: this.meta.roomId });
    this.store.atomically(() => this.store.clearRoom());
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.close(CLOSE.roomDeleted, "room_deleted");
      } catch {
        // Already closing.
      }
    }
  }

  /** Sets the alarm `delayMs` from now unless one is due sooner (`force`: move it, after a failure). */
  private scheduleFlush(delayMs = FLUSH_DELAY_MS, force = false): void {
    const at = Date.now() + delayMs;
    if (!force && this.alarmAt !== null && this.alarmAt <= at) return;
    if (!force && this.alarmAt !== null && this.meta.retryMs > 0) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }

  // Sends

  /**
   * Validates, numbers and stores a send: synchronous from the client-id check to the write, so
   * nothing interleaves. A repeated client id answers the first message's number.
   */
  private accept(
    userId: number,
    canSend: boolean,
    input: SendMessageInput,
  ): { ok: true; seq: number; duplicate: boolean; stored?: StoredMessage } | Failure {
    const print = fingerprint(input);
    const known = this.store.clientId(userId, input.clientId);
    if (known) {
      if (known.fingerprint !== print) return fail("client_id_reused", "This clientId was used for another message.");
      return { ok: true, seq: known.seq, duplicate: true };
    }
    if (!canSend) return fail("messages_not_allowed", "This dancer does not take your messages.");
    let mediaType: "image" | "video" | null = null;
    if (input.mediaUrl !== undefined) {
      if (!isAllowedMediaUrl(input.mediaUrl, loadConfig(this.env))) return fail("media_url_not_allowed", "Media must be uploaded with POST /api/media first.");
      mediaType = familyOfKey(new URL(input.mediaUrl).pathname.slice(MEDIA_PATH_PREFIX.length));
    }
    if (input.replyToId !== undefined && !this.exists(input.replyToId)) return fail("reply_not_found", "The message replied to is not in this room.");
    const seq = this.meta.lastSeq + 1;
    const now = new Date();
    // The row as written, so the broadcast need not read it back (a send to a busy room is hot).
    const stored: StoredMessage = {
      seq,
      userId,
      clientId: input.clientId,
      text: input.text,
      mediaUrl: input.mediaUrl ?? null,
      mediaType,
      replyTo: input.replyToId ?? null,
      createdAt: now.toISOString(),
      editedAt: null,
      deletedAt: null,
      version: 1,
      flushedVersion: 0,
    };
    this.store.atomically(() => {
      this.store.insertMessage(stored);
      this.store.rememberClientId(userId, input.clientId, seq, print, now.getTime());
      this.store.advanceReceipt(userId, "read", seq, now.toISOString());
      this.store.setTyping(userId, null);
      this.saveMeta({ lastSeq: seq });
    });
    this.scheduleFlush();
    return { ok: true, seq, duplicate: false, stored };
  }

  /** Whether a message number is one of this room's: kept here, or below what is kept (Postgres has those). */
  private exists(seq: number): boolean {
    if (seq > this.meta.lastSeq) return false;
    return seq < this.meta.floor || this.store.message(seq) !== null;
  }

  // Receipts, typing, reactions, edits

  private receipt(ws: WebSocket, userId: number, kind: "read" | "delivered", messageId: number): void {
    if (messageId > this.meta.lastSeq) return this.error(ws, "message_not_found", "No such message in this room.");
    const current = this.store.receipt(userId);
    if (messageId <= (kind === "read" ? current.readSeq : current.deliveredSeq)) return;
    this.store.advanceReceipt(userId, kind, messageId, new Date().toISOString());
    this.broadcast({ type: kind, userId, messageId }, ws);
    this.scheduleFlush();
  }

  private typing(ws: WebSocket, socket: SocketAttachment, isTyping: boolean): void {
    if (!socket.canSend) return this.error(ws, "messages_not_allowed", "This dancer does not take your messages.");
    const now = Date.now();
    const state = this.store.typing(socket.userId);
    const active = state !== null && state.expiresMs > now;
    if (!isTyping) {
      this.store.setTyping(socket.userId, null);
      if (active) this.broadcast({ type: "typing", userId: socket.userId, isTyping: false }, ws);
      return;
    }
    // Still typing within the throttle: only the expiry moves.
    if (active && now - state.broadcastMs < TYPING_THROTTLE_MS) {
      this.store.setTyping(socket.userId, { broadcastMs: state.broadcastMs, expiresMs: now + TYPING_EXPIRES_MS });
      return;
    }
    this.store.setTyping(socket.userId, { broadcastMs: now, expiresMs: now + TYPING_EXPIRES_MS });
    this.broadcast({ type: "typing", userId: socket.userId, isTyping: true }, ws);
  }

  private async react(ws: WebSocket, socket: SocketAttachment, messageId: number, emoji: string, on: boolean): Promise<void> {
    if (!socket.canSend) return this.error(ws, "messages_not_allowed", "This dancer does not take your messages.");
    const message = await this.messageForChange(ws, messageId);
    if (!message) return;
    if (message.deletedAt) return this.error(ws, "message_deleted", "That message was deleted.");
    if (!this.store.setReaction(messageId, socket.userId, emoji, on, new Date().toISOString())) return;
    this.broadcast({ type: "reaction", messageId, userId: socket.userId, emoji, on });
    this.scheduleFlush();
  }

  private async edit(ws: WebSocket, socket: SocketAttachment, messageId: number, text: string): Promise<void> {
    if (!socket.canSend) return this.error(ws, "messages_not_allowed", "This dancer does not take your messages.");
    const message = await this.messageForChange(ws, messageId);
    if (!message) return;
    if (message.userId !== socket.userId) return this.error(ws, "not_message_owner", "Only its author may edit a message.");
    if (message.deletedAt) return this.error(ws, "message_deleted", "That message was deleted.");
    this.store.editMessage(messageId, text, new Date().toISOString());
    const edited = this.store.message(messageId)!;
    this.broadcast({ type: "edited", message: messageOf(this.meta.roomId, edited, this.store.reactionsOf(messageId, messageId).get(messageId)) });
    this.scheduleFlush();
  }

  private async remove(ws: WebSocket, userId: number, messageId: number): Promise<void> {
    const message = await this.messageForChange(ws, messageId);
    if (!message) return;
    if (message.userId !== userId) return this.error(ws, "not_message_owner", "Only its author may delete a message.");
    // Deleting again changes nothing; the author is told it is gone.
    if (message.deletedAt) return this.sendTo(ws, { type: "deleted", messageId });
    this.store.deleteMessage(messageId, new Date().toISOString());
    this.broadcast({ type: "deleted", messageId });
    this.scheduleFlush();
  }

  /**
   * The message a change applies to: kept here, or read back from Postgres when it is older than
   * what is kept (and kept again, as already flushed). Answers the socket an error when there is none.
   */
  private async messageForChange(ws: WebSocket, seq: number): Promise<StoredMessage | null> {
    const kept = this.store.message(seq);
    if (kept) return kept;
    if (seq > this.meta.lastSeq || seq >= this.meta.floor) {
      this.error(ws, "message_not_found", "No such message in this room.");
      return null;
    }
    let found: ChatMessage | undefined;
    try {
      [found] = await messagesAfter(this.pgCtx(), this.meta.roomId, seq - 1, 1, seq + 1);
    } catch (error) {
      this.log.warn("chat message read failed", { roomId: this.meta.roomId, code: failureCode(error) });
      this.error(ws, "unavailable", "That message cannot be read right now; try again.");
      return null;
    }
    if (!found) {
      this.error(ws, "message_not_found", "No such message in this room.");
      return null;
    }
    this.store.insertMessage(
      {
        seq: found.id,
        userId: found.userId,
        clientId: found.clientId,
        text: found.text,
        mediaUrl: found.mediaUrl,
        mediaType: found.mediaType,
        replyTo: found.replyToId,
        createdAt: found.createdAt,
        editedAt: found.editedAt,
        deletedAt: found.deletedAt,
      },
      true,
    );
    for (const reaction of found.reactions) {
      for (const userId of reaction.userIds) this.store.setReaction(found.id, userId, reaction.emoji, true, found.createdAt);
    }
    this.store.markReactionsFlushed(found.id);
    return this.store.message(seq);
  }

  // Resume

  /**
   * Replays the messages after `afterId` in order, at most {@link RESUME_PAGE}: from Postgres
   * for the part older than what is kept here, then from here; `resumed.more` asks for another.
   */
  private async resume(ws: WebSocket, afterId: number): Promise<void> {
    const { roomId, floor } = this.meta;
    const replay: ChatMessage[] = [];
    if (afterId + 1 < floor) {
      try {
        replay.push(...(await messagesAfter(this.pgCtx(), roomId, afterId, RESUME_PAGE, floor)));
      } catch (error) {
        this.log.warn("chat resume read failed", { roomId, code: failureCode(error) });
        return this.error(ws, "unavailable", "Older messages cannot be read right now; resume again shortly.");
      }
    }
    if (replay.length < RESUME_PAGE) {
      const from = Math.max(afterId, floor - 1);
      const kept = this.store.messagesAfter(from, RESUME_PAGE - replay.length);
      if (kept.length) {
        const reactions = this.store.reactionsOf(kept[0]!.seq, kept.at(-1)!.seq);
        replay.push(...kept.map((m) => messageOf(roomId, m, reactions.get(m.seq))));
      }
    }
    for (const message of replay) this.sendTo(ws, { type: "message", message });
    const lastId = replay.at(-1)?.id ?? Math.min(afterId, this.meta.lastSeq);
    this.sendTo(ws, { type: "resumed", afterId, lastId, more: lastId < this.meta.lastSeq });
  }

  // Who may do what

  /** Takes the identity's room and its Postgres numbering; false for another room's identity. */
  private adopt(identity: RoomIdentity): boolean {
    if (!this.adoptRoom(identity.roomId, identity.roomType)) return false;
    if (identity.pgLastSeq > this.meta.lastSeq) {
      // Postgres has messages this object never numbered (written before it, or it lost them): resume reads them there.
      this.saveMeta({ lastSeq: identity.pgLastSeq, floor: identity.pgLastSeq + 1 });
    }
    return true;
  }

  private adoptRoom(roomId: number, roomType?: RoomIdentity["roomType"]): boolean {
    if (this.meta.roomId === 0) this.saveMeta({ roomId, ...(roomType ? { roomType } : {}) });
    else if (roomType && !this.meta.roomType) this.saveMeta({ roomType });
    return this.meta.roomId === roomId;
  }

  /**
   * Whether what the Worker checked at `checkedAt` is out of date: the member was removed after
   * it, or the room was blocked after it (a newer check saw the block lifted).
   */
  private refusal(userId: number, checkedAt: string): Refusal | null {
    const removedAt = this.removals.get(userId);
    // The change's time is read inside its transaction, just before it commits: a check that
    // started in between did not see it yet, so checks up to COMMIT_MARGIN_MS later are refused
    // too. A dancer added back meanwhile is not: memberAdded lifts the removal.
    if (removedAt !== undefined && instant(checkedAt) < instant(removedAt) + COMMIT_MARGIN_MS) return "not_a_member";
    if (this.meta.blocked && instant(checkedAt) <= instant(this.meta.blockedAt) + COMMIT_MARGIN_MS) return "blocked";
    return null;
  }

  /** Takes one write from a token bucket; answers how long to wait when it is empty (0: go). */
  private take(key: string): number {
    const now = Date.now();
    const { burst, perSecond } = this.rate;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * perSecond) / 1000);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return Math.ceil(((1 - bucket.tokens) * 1000) / perSecond);
    bucket.tokens -= 1;
    return 0;
  }

  // Sockets

  private onlineUsers(): number[] {
    const users = new Set<number>();
    for (const ws of this.ctx.getWebSockets()) {
      const socket = ws.deserializeAttachment() as SocketAttachment | null;
      if (socket && ws.readyState === WebSocket.OPEN) users.add(socket.userId);
    }
    return [...users].sort((a, b) => a - b);
  }

  private isOnline(userId: number, except?: WebSocket): boolean {
    return this.ctx.getWebSockets(userTag(userId)).some((ws) => ws !== except && ws.readyState === WebSocket.OPEN);
  }

  /** A socket went away: the member's presence and typing end with their last one. */
  /**
   * The open sockets, asked of the runtime once and kept until one opens or closes: a broadcast
   * to a hundred sockets would otherwise fetch them all again for every message.
   */
  private sockets(): WebSocket[] {
    this.socketCache ??= this.ctx.getWebSockets();
    return this.socketCache;
  }

  private gone(ws: WebSocket): void {
    this.socketCache = null;
    const socket = ws.deserializeAttachment() as SocketAttachment | null;
    if (!socket || socket.closing) return;
    this.buckets.delete(`socket:${socket.connId}`);
    if (this.isOnline(socket.userId, ws)) return;
    const typing = this.store.typing(socket.userId);
    this.store.setTyping(socket.userId, null);
    if (typing && typing.expiresMs > Date.now()) this.broadcast({ type: "typing", userId: socket.userId, isTyping: false }, ws);
    this.broadcast({ type: "presence", userId: socket.userId, online: false }, ws);
  }

  private closeFor(ws: WebSocket, refusal: Refusal): void {
    this.gone(ws);
    const socket = ws.deserializeAttachment() as SocketAttachment | null;
    if (socket) ws.serializeAttachment({ ...socket, closing: true } satisfies SocketAttachment);
    try {
      if (refusal === "blocked") ws.close(CLOSE.blocked, "blocked");
      else ws.close(CLOSE.removed, "removed");
    } catch {
      // Already closing.
    }
  }

  private sendTo(ws: WebSocket, frame: ServerFrame): void {
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      // The socket is closing: its close event cleans up.
    }
  }

  private error(ws: WebSocket, code: FrameError, message: string, extra: { clientId?: string; retryAfterMs?: number } = {}): void {
    this.sendTo(ws, {
      type: "error",
      code,
      message,
      ...(extra.clientId === undefined ? {} : { clientId: extra.clientId }),
      ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs }),
    });
  }

  /** One serialization for every socket but `except`. */
  private broadcast(frame: ServerFrame, except?: WebSocket): void {
    const text = JSON.stringify(frame);
    for (const ws of this.sockets()) {
      if (ws === except || ws.readyState !== WebSocket.OPEN) continue;
      try {
        ws.send(text);
      } catch {
        // Closing: its close event cleans up.
      }
    }
  }

  // State

  private saveMeta(changes: Partial<RoomMeta>): void {
    this.store.saveMeta(changes);
    this.meta = { ...this.meta, ...changes };
  }

  /** Reads the members' receipts from Postgres once, so `ready` shows everyone's. */
  private async seedReceipts(): Promise<void> {
    if (this.meta.receiptsSeeded) return;
    try {
      this.store.seedReceipts(await memberReceipts(this.pgCtx(), this.meta.roomId));
      this.saveMeta({ receiptsSeeded: true });
    } catch (error) {
      this.log.warn("chat receipts read failed", { roomId: this.meta.roomId, code: failureCode(error) });
    }
  }

  /** A context for Postgres, its requests abandoned after `timeoutMs` (a hung database must not hold the room). */
  private pgCtx(timeoutMs = FLUSH_TIMEOUT_MS): Ctx {
    const ctx = createCtx(this.env, { logFields: { object: "ChatRoom", roomId: this.meta.roomId } });
    const db = createDb({ databaseUrl: ctx.config.DATABASE_URL, fetchEndpoint: ctx.config.NEON_FETCH_ENDPOINT, signal: AbortSignal.timeout(timeoutMs) });
    return { ...ctx, db };
  }
}
