// A ChatRoom object's own SQLite storage: its recent messages, the client ids it has numbered,
// receipts, reactions, removals, typing, and the outbox marks (what Postgres has). Every
// statement binds its values. The object is the only writer, one event at a time, so a
// synchronous read-then-write here cannot interleave with another.

import type { ChatMessage, Receipt } from "./chat.protocol";

/** Messages kept after they reached Postgres, for resume and for edits without a Postgres read. */
export const MESSAGES_KEPT = 300;
/** How long a client id is remembered after its message (a retry within it gets the same id). */
export const CLIENT_IDS_KEPT_MS = 30 * 24 * 60 * 60 * 1000;
/** Reactions a message shows per emoji (the count covers all). */
const REACTION_USERS_SHOWN = 20;

/** A message row as the object keeps it. */
export interface StoredMessage {
  seq: number;
  userId: number;
  clientId: string | null;
  text: string;
  mediaUrl: string | null;
  mediaType: "image" | "video" | null;
  replyTo: number | null;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  /** Bumped by every change (1 when written); `flushedVersion` is the one Postgres has (0: none yet). */
  version: number;
  flushedVersion: number;
}

/** The room's state that is read on every event, kept in memory and written through. */
export interface RoomMeta {
  roomId: number;
  roomType: "direct" | "group" | "event" | "";
  /** The newest message number given (or seen in Postgres). */
  lastSeq: number;
  /** Every message from this number up to `lastSeq` is here; older ones are read from Postgres. */
  floor: number;
  blocked: boolean;
  /** When the block state last changed (Postgres' clock), to ignore a late, older change. */
  blockedAt: string;
  /** The flush's current backoff (0 after a success). */
  retryMs: number;
  /** Whether the members' receipts were read from Postgres once. */
  receiptsSeeded: boolean;
}

const META_DEFAULTS: RoomMeta = {
  roomId: 0,
  roomType: "",
  lastSeq: 0,
  floor: 1,
  blocked: false,
  blockedAt: "",
  retryMs: 0,
  receiptsSeeded: false,
};

/** Pending work for one flush: what Postgres does not have yet. */
export interface PendingOutbox {
  messages: StoredMessage[];
  reactions: { seq: number; userId: number; emoji: string; active: boolean; version: number }[];
  receipts: { userId: number; readSeq: number; readAt: string | null; deliveredSeq: number; flushedReadSeq: number }[];
  /** Messages up to here are all in Postgres once this flush commits (the batch may stop short of lastSeq). */
  horizon: number;
}

type Row = Record<string, SqlStorageValue>;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS room_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    client_id TEXT,
    text TEXT NOT NULL,
    media_url TEXT,
    media_type TEXT,
    reply_to INTEGER,
    created_at TEXT NOT NULL,
    edited_at TEXT,
    deleted_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    flushed_version INTEGER NOT NULL DEFAULT 0
  )`,
  `CREATE INDEX IF NOT EXISTS messages_unflushed ON messages (seq) WHERE version > flushed_version`,
  // Outlives its message (see CLIENT_IDS_KEPT_MS): a retry after the trim is still the same message.
  `CREATE TABLE IF NOT EXISTS client_ids (
    user_id INTEGER NOT NULL,
    client_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (user_id, client_id)
  ) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS client_ids_created ON client_ids (created_ms)`,
  `CREATE TABLE IF NOT EXISTS receipts (
    user_id INTEGER PRIMARY KEY,
    read_seq INTEGER NOT NULL DEFAULT 0,
    read_at TEXT,
    delivered_seq INTEGER NOT NULL DEFAULT 0,
    flushed_read_seq INTEGER NOT NULL DEFAULT 0,
    flushed_delivered_seq INTEGER NOT NULL DEFAULT 0
  )`,
  // `active` 0 is a removal Postgres has not had yet; it goes once flushed.
  `CREATE TABLE IF NOT EXISTS reactions (
    seq INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    emoji TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    flushed_version INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (seq, user_id, emoji)
  ) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS reactions_unflushed ON reactions (seq) WHERE version > flushed_version`,
  `CREATE TABLE IF NOT EXISTS removals (user_id INTEGER PRIMARY KEY, removed_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS typing (user_id INTEGER PRIMARY KEY, broadcast_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL)`,
];

const MESSAGE_COLUMNS = `seq, user_id, client_id, text, media_url, media_type, reply_to, created_at, edited_at, deleted_at, version, flushed_version`;

function toMessage(row: Row): StoredMessage {
  return {
    seq: Number(row.seq),
    userId: Number(row.user_id),
    clientId: (row.client_id as string | null) ?? null,
    text: row.text as string,
    mediaUrl: (row.media_url as string | null) ?? null,
    mediaType: (row.media_type as StoredMessage["mediaType"]) ?? null,
    replyTo: row.reply_to === null ? null : Number(row.reply_to),
    createdAt: row.created_at as string,
    editedAt: (row.edited_at as string | null) ?? null,
    deletedAt: (row.deleted_at as string | null) ?? null,
    version: Number(row.version),
    flushedVersion: Number(row.flushed_version),
  };
}

/**
 * The room's SQLite, as the object uses it.
 *
 * @example
 * const store = new RoomStore(ctx.storage);
 * store.migrate();
 * const meta = store.loadMeta();
 */
export class RoomStore {
  private readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
  }

  /** Creates the tables (idempotent): called in the object's constructor. */
  migrate(): void {
    for (const statement of SCHEMA) this.sql.exec(statement);
  }

  /** Runs `fn` as one SQLite transaction: all of its writes, or none. */
  atomically<T>(fn: () => T): T {
    return this.storage.transactionSync(fn);
  }

  loadMeta(): RoomMeta {
    const meta: RoomMeta = { ...META_DEFAULTS };
    for (const row of this.sql.exec<{ key: string; value: string }>(`SELECT key, value FROM room_meta`)) {
      if (!(row.key in meta)) continue;
      const current = meta[row.key as keyof RoomMeta];
      (meta as unknown as Record<string, unknown>)[row.key] =
        typeof current === "number" ? Number(row.value) : typeof current === "boolean" ? row.value === "1" : row.value;
    }
    return meta;
  }

  saveMeta(changes: Partial<RoomMeta>): void {
    for (const [key, value] of Object.entries(changes)) {
      const text = typeof value === "boolean" ? (value ? "1" : "0") : String(value);
      this.sql.exec(`INSERT INTO room_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, text);
    }
  }

  // Messages

  message(seq: number): StoredMessage | null {
    const row = this.sql.exec(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq = ?`, seq).toArray()[0];
    return row ? toMessage(row) : null;
  }

  /** Messages after `afterSeq` from `floor` on, in order, at most `limit`. */
  messagesAfter(afterSeq: number, limit: number): StoredMessage[] {
    return this.sql
      .exec(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, limit)
      .toArray()
      .map(toMessage);
  }

  insertMessage(message: Omit<StoredMessage, "version" | "flushedVersion">, flushed = false): void {
    this.sql.exec(
      `INSERT OR IGNORE INTO messages (seq, user_id, client_id, text, media_url, media_type, reply_to, created_at, edited_at, deleted_at, version, flushed_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
      message.seq,
      message.userId,
      message.clientId,
      message.text,
      message.mediaUrl,
      message.mediaType,
      message.replyTo,
      message.createdAt,
      message.editedAt,
      message.deletedAt,
      flushed ? 1 : 0,
    );
  }

  editMessage(seq: number, text: string, at: string): void {
    this.sql.exec(`UPDATE messages SET text = ?, edited_at = ?, version = version + 1 WHERE seq = ?`, text, at, seq);
  }

  deleteMessage(seq: number, at: string): void {
    this.sql.exec(
      `UPDATE messages SET text = '', media_url = NULL, media_type = NULL, deleted_at = ?, version = version + 1 WHERE seq = ?`,
      at,
      seq,
    );
  }

  // Client ids

  clientId(userId: number, clientId: string): { seq: number; fingerprint: string } | null {
    const row = this.sql
      .exec<{ seq: number; fingerprint: string }>(`SELECT seq, fingerprint FROM client_ids WHERE user_id = ? AND client_id = ?`, userId, clientId)
      .toArray()[0];
    return row ? { seq: Number(row.seq), fingerprint: row.fingerprint } : null;
  }

  rememberClientId(userId: number, clientId: string, seq: number, fingerprint: string, nowMs: number): void {
    this.sql.exec(
      `INSERT INTO client_ids (user_id, client_id, seq, fingerprint, created_ms) VALUES (?, ?, ?, ?, ?)`,
      userId,
      clientId,
      seq,
      fingerprint,
      nowMs,
    );
  }

  // Receipts

  receipt(userId: number): { readSeq: number; deliveredSeq: number } {
    const row = this.sql
      .exec<{ read_seq: number; delivered_seq: number }>(`SELECT read_seq, delivered_seq FROM receipts WHERE user_id = ?`, userId)
      .toArray()[0];
    return { readSeq: Number(row?.read_seq ?? 0), deliveredSeq: Number(row?.delivered_seq ?? 0) };
  }

  /** Moves a member's receipts forward (never back); reading a message also delivers it. */
  advanceReceipt(userId: number, kind: "read" | "delivered", seq: number, at: string): void {
    if (kind === "read") {
      this.sql.exec(
        `INSERT INTO receipts (user_id, read_seq, read_at, delivered_seq) VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET
           read_at = CASE WHEN excluded.read_seq > read_seq THEN excluded.read_at ELSE read_at END,
           read_seq = max(read_seq, excluded.read_seq),
           delivered_seq = max(delivered_seq, excluded.delivered_seq)`,
        userId,
        seq,
        at,
        seq,
      );
    } else {
      this.sql.exec(
        `INSERT INTO receipts (user_id, delivered_seq) VALUES (?, ?)
         ON CONFLICT (user_id) DO UPDATE SET delivered_seq = max(delivered_seq, excluded.delivered_seq)`,
        userId,
        seq,
      );
    }
  }

  /** Receipts read from Postgres: taken where they are ahead, and marked as already there. */
  seedReceipts(rows: { userId: number; readSeq: number; deliveredSeq: number }[]): void {
    for (const row of rows) {
      this.sql.exec(
        `INSERT INTO receipts (user_id, read_seq, delivered_seq, flushed_read_seq, flushed_delivered_seq) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET
           read_seq = max(read_seq, excluded.read_seq),
           delivered_seq = max(delivered_seq, excluded.delivered_seq),
           flushed_read_seq = max(flushed_read_seq, excluded.flushed_read_seq),
           flushed_delivered_seq = max(flushed_delivered_seq, excluded.flushed_delivered_seq)`,
        row.userId,
        row.readSeq,
        row.deliveredSeq,
        row.readSeq,
        row.deliveredSeq,
      );
    }
  }

  receipts(excluded: ReadonlySet<number>): Receipt[] {
    return this.sql
      .exec<{ user_id: number; read_seq: number; delivered_seq: number }>(`SELECT user_id, read_seq, delivered_seq FROM receipts ORDER BY user_id`)
      .toArray()
      .filter((row) => !excluded.has(Number(row.user_id)))
      .map((row) => ({ userId: Number(row.user_id), readId: Number(row.read_seq), deliveredId: Number(row.delivered_seq) }));
  }

  // Reactions

  /** Sets a reaction on or off: false when it already was. */
  setReaction(seq: number, userId: number, emoji: string, on: boolean, at: string): boolean {
    const current = this.sql
      .exec<{ active: number }>(`SELECT active FROM reactions WHERE seq = ? AND user_id = ? AND emoji = ?`, seq, userId, emoji)
      .toArray()[0];
    if ((current?.active === 1) === on) return false;
    this.sql.exec(
      `INSERT INTO reactions (seq, user_id, emoji, active, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (seq, user_id, emoji) DO UPDATE SET active = excluded.active, created_at = excluded.created_at, version = version + 1`,
      seq,
      userId,
      emoji,
      on ? 1 : 0,
      at,
    );
    return true;
  }

  /** Marks a message's reactions as what Postgres has (they were just read from it). */
  markReactionsFlushed(seq: number): void {
    this.sql.exec(`UPDATE reactions SET flushed_version = version WHERE seq = ?`, seq);
  }

  /** Reactions of the messages `from`..`to` by message number, as messages show them. */
  reactionsOf(from: number, to: number): Map<number, ChatMessage["reactions"]> {
    const out = new Map<number, ChatMessage["reactions"]>();
    const rows = this.sql
      .exec<{ seq: number; emoji: string; user_id: number }>(
        `SELECT seq, emoji, user_id FROM reactions WHERE active = 1 AND seq BETWEEN ? AND ? ORDER BY seq, created_at, user_id`,
        from,
        to,
      )
      .toArray();
    for (const row of rows) {
      const list = out.get(Number(row.seq)) ?? [];
      let entry = list.find((e) => e.emoji === row.emoji);
      if (!entry) {
        entry = { emoji: row.emoji, count: 0, userIds: [] };
        list.push(entry);
      }
      entry.count += 1;
      if (entry.userIds.length < REACTION_USERS_SHOWN) entry.userIds.push(Number(row.user_id));
      out.set(Number(row.seq), list);
    }
    return out;
  }

  // Removals and blocks

  removals(): Map<number, string> {
    const rows = this.sql.exec<{ user_id: number; removed_at: string }>(`SELECT user_id, removed_at FROM removals`).toArray();
    return new Map(rows.map((row) => [Number(row.user_id), row.removed_at]));
  }

  setRemoval(userId: number, at: string | null): void {
    if (at === null) this.sql.exec(`DELETE FROM removals WHERE user_id = ?`, userId);
    else this.sql.exec(`INSERT INTO removals (user_id, removed_at) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET removed_at = excluded.removed_at`, userId, at);
  }

  // Typing

  typing(userId: number): { broadcastMs: number; expiresMs: number } | null {
    const row = this.sql
      .exec<{ broadcast_ms: number; expires_ms: number }>(`SELECT broadcast_ms, expires_ms FROM typing WHERE user_id = ?`, userId)
      .toArray()[0];
    return row ? { broadcastMs: Number(row.broadcast_ms), expiresMs: Number(row.expires_ms) } : null;
  }

  setTyping(userId: number, state: { broadcastMs: number; expiresMs: number } | null): void {
    if (state === null) this.sql.exec(`DELETE FROM typing WHERE user_id = ?`, userId);
    else {
      this.sql.exec(
        `INSERT INTO typing (user_id, broadcast_ms, expires_ms) VALUES (?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET broadcast_ms = excluded.broadcast_ms, expires_ms = excluded.expires_ms`,
        userId,
        state.broadcastMs,
        state.expiresMs,
      );
    }
  }

  typingNow(nowMs: number): number[] {
    this.sql.exec(`DELETE FROM typing WHERE expires_ms <= ?`, nowMs);
    return this.sql.exec<{ user_id: number }>(`SELECT user_id FROM typing ORDER BY user_id`).toArray().map((row) => Number(row.user_id));
  }

  // The outbox

  /**
   * What Postgres lacks, oldest first: at most `limit` messages (new, edited or deleted), the
   * reactions and receipts that only need messages Postgres will have after this batch.
   */
  pending(limit: number, lastSeq: number): PendingOutbox {
    const messages = this.sql
      .exec(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE version > flushed_version ORDER BY seq LIMIT ?`, limit)
      .toArray()
      .map(toMessage);
    const unflushedAfter = this.sql
      .exec<{ seq: number | null }>(`SELECT min(seq) AS seq FROM messages WHERE flushed_version = 0 AND seq > ?`, messages.at(-1)?.seq ?? 0)
      .one().seq;
    const horizon = unflushedAfter === null ? lastSeq : Number(unflushedAfter) - 1;
    const reactions = this.sql
      .exec<{ seq: number; user_id: number; emoji: string; active: number; version: number }>(
        `SELECT seq, user_id, emoji, active, version FROM reactions WHERE version > flushed_version AND seq <= ? ORDER BY seq LIMIT ?`,
        horizon,
        limit * 2,
      )
      .toArray()
      .map((row) => ({ seq: Number(row.seq), userId: Number(row.user_id), emoji: row.emoji, active: row.active === 1, version: Number(row.version) }));
    const receipts = this.sql
      .exec<{ user_id: number; read_seq: number; read_at: string | null; delivered_seq: number; flushed_read_seq: number }>(
        `SELECT user_id, min(read_seq, ?) AS read_seq, read_at, min(delivered_seq, ?) AS delivered_seq, flushed_read_seq FROM receipts
         WHERE min(read_seq, ?) > flushed_read_seq OR min(delivered_seq, ?) > flushed_delivered_seq ORDER BY user_id`,
        horizon,
        horizon,
        horizon,
        horizon,
      )
      .toArray()
      .map((row) => ({
        userId: Number(row.user_id),
        readSeq: Number(row.read_seq),
        readAt: row.read_at,
        deliveredSeq: Number(row.delivered_seq),
        flushedReadSeq: Number(row.flushed_read_seq),
      }));
    return { messages, reactions, receipts, horizon };
  }

  /** Records what a confirmed flush wrote (versions only move forward: a change made meanwhile stays pending). */
  markFlushed(batch: PendingOutbox): void {
    for (const message of batch.messages) {
      this.sql.exec(`UPDATE messages SET flushed_version = max(flushed_version, ?) WHERE seq = ?`, message.version, message.seq);
    }
    for (const reaction of batch.reactions) {
      this.sql.exec(
        `UPDATE reactions SET flushed_version = max(flushed_version, ?) WHERE seq = ? AND user_id = ? AND emoji = ?`,
        reaction.version,
        reaction.seq,
        reaction.userId,
        reaction.emoji,
      );
    }
    for (const receipt of batch.receipts) {
      this.sql.exec(
        `UPDATE receipts SET flushed_read_seq = max(flushed_read_seq, ?), flushed_delivered_seq = max(flushed_delivered_seq, ?) WHERE user_id = ?`,
        receipt.readSeq,
        receipt.deliveredSeq,
        receipt.userId,
      );
    }
    this.sql.exec(`DELETE FROM reactions WHERE active = 0 AND version = flushed_version`);
  }

  /** Whether anything is waiting for Postgres. */
  hasPending(): boolean {
    const row = this.sql
      .exec<{ n: number }>(
        `SELECT (EXISTS (SELECT 1 FROM messages WHERE version > flushed_version)
           OR EXISTS (SELECT 1 FROM reactions WHERE version > flushed_version)
           OR EXISTS (SELECT 1 FROM receipts WHERE read_seq > flushed_read_seq OR delivered_seq > flushed_delivered_seq)) AS n`,
      )
      .one();
    return Number(row.n) === 1;
  }

  /**
   * Drops what Postgres has and resume no longer needs: messages older than the last
   * {@link MESSAGES_KEPT}, their reactions, and client ids older than {@link CLIENT_IDS_KEPT_MS}.
   * Answers the new floor (nothing below a message Postgres lacks is dropped).
   */
  trim(lastSeq: number, floor: number, nowMs: number): number {
    const cutoff = lastSeq - MESSAGES_KEPT;
    if (cutoff >= floor) {
      const oldestUnflushed = this.sql.exec<{ seq: number | null }>(`SELECT min(seq) AS seq FROM messages WHERE flushed_version = 0`).one().seq;
      const newFloor = Math.min(cutoff + 1, oldestUnflushed === null ? Infinity : Number(oldestUnflushed));
      this.sql.exec(`DELETE FROM messages WHERE seq < ? AND version = flushed_version`, newFloor);
      this.sql.exec(`DELETE FROM reactions WHERE seq < ? AND version = flushed_version`, newFloor);
      floor = Math.max(floor, newFloor);
    }
    this.sql.exec(`DELETE FROM client_ids WHERE created_ms < ? AND seq < ?`, nowMs - CLIENT_IDS_KEPT_MS, floor);
    return floor;
  }

  /** Forgets every message and outbox mark (the room was deleted in Postgres). */
  clearRoom(): void {
    for (const table of ["messages", "client_ids", "receipts", "reactions", "removals", "typing"]) this.sql.exec(`DELETE FROM ${table}`);
  }
}
