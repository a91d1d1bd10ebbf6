import { DurableObject } from "cloudflare:workers";
import { type Ctx, createCtx } from "../../lib/context";
import { errorFields } from "../../lib/logger";
import { notificationChanges, type NotificationChanges, notificationChangesStatement, toNotificationChanges } from "../notifications";
import { LIVE_CLOSE, LIVE_PING, LIVE_PONG, LIVE_USER_HEADER, type LiveEvent, type LiveFrame, type UserHubRpc } from "./live.rpc";
import { PRESENCE_REFRESH_MS, presenceDelete, presenceUpsert, presenceUsable } from "./live.service";

export const HUB_LIMITS = {
  /**
   * How far before its last read a read looks again. A notification's `updated_at` is its
   * transaction's start, and transactions commit out of order: one that began before the last
   * read and committed after it is still found (the hub remembers what it pushed, so nothing is
   * pushed twice).
   */
  lookbackMs: 60_000,
  /** Notifications per push, newest first; the unread count is always exact. */
  pushLimit: 50,
  /** The first retry after Postgres failed; it doubles up to the presence refresh interval. */
  retryMs: 1_000,
};

/** What each socket carries through hibernation. */
interface Attachment {
  socketId: string;
  userId: number;
  connectedAt: number;
}

/** Keys of the hub's `meta` table. */
type MetaKey =
  /** A dancer whose id the object's name did not give (see hubUserId). */
  | "user_id"
  /** Postgres' clock at the last read (`YYYY-MM-DD HH24:MI:SS.US`); none until the first socket's read. */
  | "read_at"
  /** The unread count last sent to the sockets. */
  | "unread"
  /** What Postgres has: `on` (a presence row), `off` (none), none (unknown). */
  | "presence"
  /** A read failed: the alarm reads again (and pushes what came meanwhile). */
  | "sync_due"
  /** Postgres failures in a row, for the retry backoff. */
  | "failures";

/** `user:<id>`, as userHubStub names hubs. */
function hubUserId(name: string | undefined): number | null {
  const match = /^user:(\d+)$/.exec(name ?? "");
  return match ? Number(match[1]) : null;
}

/** A timestamp as Postgres' text for `timestamp` (UTC), milliseconds kept. */
function pgTime(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
}

/** Postgres' `YYYY-MM-DD HH24:MI:SS.US` (UTC) in milliseconds (JavaScript parses at most three decimals). */
function pgMs(text: string): number {
  const [date, time] = text.split(" ");
  const ms = Date.parse(`${date}T${time!.slice(0, 12)}Z`);
  if (Number.isNaN(ms)) throw new RangeError(`not a Postgres timestamp: ${text.slice(0, 40)}`);
  return ms;
}

function problem(status: number, code: string, detail: string): Response {
  return Response.json({ type: `urn:mundo-tango:problem:${code}`, title: code, status, detail, code }, {
    status,
    headers: { "content-type": "application/problem+json" },
  });
}

/**
 * One dancer's live channel (`GET /api/live`): the sockets of their devices, through
 * hibernation. It pushes notifications as they are written or bumped (the app calls
 * `publish({ notifications: true })` after each write, see live.scope.ts; the hub reads them
 * from Postgres, so what it pushes is what the list shows), the unread count, and room activity
 * the ChatRoom objects send. It keeps `live_presence` up to date for the app to know whom to
 * tell. Its state is in its SQLite storage (`meta`, and `seen`: what it pushed lately), so a
 * hibernated or restarted hub goes on where it was; pings are answered by the runtime.
 */
export class UserHub extends DurableObject<Env> implements UserHubRpc {
  private readonly sql: SqlStorage;
  /** Postgres work, one job at a time in order: a close's presence delete never overtakes the connect before it. */
  private queue: Promise<unknown> = Promise.resolve();
  /** A read queued and not started yet: the publishes arriving meanwhile share it. */
  private queuedSync: Promise<number> | null = null;
  /** Sockets being opened (their first read is under way): a publish meanwhile must not be dropped. */
  private opening = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS seen (id INTEGER PRIMARY KEY, updated_key TEXT NOT NULL)");
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(LIVE_PING, LIVE_PONG));
  }

  /** The upgrade the Worker forwards, having checked the dancer's token and account. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return problem(426, "upgrade_required", "Open the live channel with a WebSocket upgrade.");
    }
    const claimed = Number(request.headers.get(LIVE_USER_HEADER));
    const own = this.userId() ?? claimed;
    if (!Number.isSafeInteger(claimed) || claimed <= 0 || claimed !== own) {
      return problem(403, "wrong_live_channel", "This live channel is another dancer's.");
    }
    if (this.meta("user_id") === null && hubUserId(this.ctx.id.name) === null) this.setMeta("user_id", String(claimed));
    const bearer = /(^|,)\s*bearer\s*(,|$)/i.test(request.headers.get("sec-websocket-protocol") ?? "");
    this.opening += 1;
    try {
      return await this.run(() => this.open(claimed, bearer));
    } finally {
      this.opening -= 1;
    }
  }

  async publish(input: { notifications?: boolean; rooms?: Extract<LiveEvent, { type: "room_activity" }>[] }): Promise<number> {
    // No socket: nothing to push and nothing read (the next connect reads the count). A socket
    // being opened may have read before this change: the read queued after it finds it.
    if (!this.openSockets().length && !this.opening) return 0;
    let reached = 0;
    for (const activity of input.rooms ?? []) reached = Math.max(reached, this.broadcast(activity));
    if (input.notifications) reached = Math.max(reached, await this.requestSync());
    return reached;
  }

  override webSocketMessage(ws: WebSocket): void {
    // "ping" never gets here (the auto-response answers it); the channel takes nothing else.
    this.send(ws, { type: "error", code: "unsupported_frame", message: `The live channel only pushes; send "${LIVE_PING}" to keep it open.` });
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      // 1005 and 1006 say no code was sent; they may not be sent back.
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // Already closed on this side.
    }
    await this.run(() => this.left(ws));
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.run(() => this.left(ws));
  }

  /** Keeps the presence row alive while sockets are open (and removes it after the last), retries a read that failed. */
  override async alarm(): Promise<void> {
    await this.run(async () => {
      const sockets = this.openSockets();
      let usable = true;
      let ok = await this.attempt("presence", async (ctx) => {
        const userId = this.requireUserId();
        if (sockets.length) usable = presenceUsable(await presenceUpsert(ctx.db, { userId, connections: sockets.length, fresh: this.meta("presence") !== "on" }));
        else if (this.meta("presence") !== "off") await presenceDelete(ctx.db, userId);
        this.setMeta("presence", sockets.length && usable ? "on" : "off");
      });
      if (!usable) {
        for (const ws of sockets) ws.close(LIVE_CLOSE.accountDisabled, "account_disabled");
        return;
      }
      if (ok && sockets.length && this.meta("sync_due") !== null) ok = (await this.sync()) >= 0;
      if (!ok) return this.retryLater();
      if (sockets.length) await this.ctx.storage.setAlarm(Date.now() + PRESENCE_REFRESH_MS);
    });
  }

  /** A socket opens: the presence row and the dancer's unread count in one round trip, then `ready`. */
  private async open(userId: number, bearer: boolean): Promise<Response> {
    const open = this.openSockets();
    const first = open.length === 0;
    if (first) {
      // A new session: what the dancer's devices have seen is what the list shows now.
      this.sql.exec("DELETE FROM seen");
      this.setMeta("read_at", null);
    }
    let unreadCount: number | null = null;
    let usable = true;
    const ok = await this.attempt("connect", async (ctx) => {
      const [presence, result] = await ctx.db.batch([
        presenceUpsert(ctx.db, { userId, connections: open.length + 1, fresh: first }),
        notificationChangesStatement(ctx.db, {
          userId,
          since: pgTime(Date.now() - HUB_LIMITS.lookbackMs),
          limit: first ? HUB_LIMITS.pushLimit : 0,
        }),
      ]);
      usable = presenceUsable(presence);
      if (!usable) return;
      const changes = toNotificationChanges(result);
      if (first) this.remember(changes);
      unreadCount = changes.unreadCount;
      this.setMeta("unread", String(unreadCount));
      this.setMeta("presence", "on");
    });
    // Suspended between the Worker's check and this read (the statement removed the row).
    if (!usable) {
      this.setMeta("presence", "off");
      for (const ws of open) ws.close(LIVE_CLOSE.accountDisabled, "account_disabled");
      return problem(403, "account_disabled", "This account is suspended or deactivated.");
    }
    if (!ok) this.setMeta("sync_due", "1");

    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ socketId: crypto.randomUUID(), userId, connectedAt: Date.now() } satisfies Attachment);
    this.send(server, { type: "ready", userId, unreadCount });

    if (!ok) await this.retryLater();
    else if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + PRESENCE_REFRESH_MS);
    return new Response(null, { status: 101, webSocket: client, headers: bearer ? { "sec-websocket-protocol": "bearer" } : {} });
  }

  /** The last socket gone: the presence row goes too (the alarm retries if Postgres fails). */
  private async left(ws: WebSocket): Promise<void> {
    const closing = (ws.deserializeAttachment() as Attachment | null)?.socketId;
    if (this.openSockets(closing).length) return;
    const ok = await this.attempt("presence", async (ctx) => {
      await presenceDelete(ctx.db, this.requireUserId());
      this.setMeta("presence", "off");
    });
    if (!ok) await this.retryLater();
  }

  /** One read for every publish that arrives before it starts. */
  private requestSync(): Promise<number> {
    this.queuedSync ??= this.run(() => {
      this.queuedSync = null;
      return this.sync();
    });
    return this.queuedSync;
  }

  /**
   * Reads the notifications changed since shortly before the last read, pushes those not pushed
   * yet (new, or bumped since) with the unread count. Answers the sockets reached, -1 when
   * Postgres failed (the alarm reads again).
   */
  private async sync(): Promise<number> {
    const sockets = this.openSockets();
    if (!sockets.length) return 0;
    const readAt = this.meta("read_at");
    const from = readAt === null ? Date.now() : pgMs(readAt);
    let changes: NotificationChanges | undefined;
    const ok = await this.attempt("read", async (ctx) => {
      changes = await notificationChanges(ctx, { userId: this.requireUserId(), since: pgTime(from - HUB_LIMITS.lookbackMs), limit: HUB_LIMITS.pushLimit });
    });
    if (!ok || !changes) {
      this.setMeta("sync_due", "1");
      await this.retryLater();
      return -1;
    }
    this.setMeta("sync_due", null);
    // Not seeded yet (the connect's read failed): what is there now counts as seen; the count is pushed.
    const fresh = readAt === null ? [] : changes.notifications.filter(({ key, notification }) => {
      const seen = this.sql.exec<{ updated_key: string }>("SELECT updated_key FROM seen WHERE id = ?", notification.id).toArray()[0];
      return seen === undefined || seen.updated_key < key;
    });
    this.remember(changes);
    if (!fresh.length && this.meta("unread") === String(changes.unreadCount)) return 0;
    this.setMeta("unread", String(changes.unreadCount));
    return this.broadcast({ type: "notifications", notifications: fresh.map((f) => f.notification), unreadCount: changes.unreadCount });
  }

  /** Records a read: what it saw (forgetting what no later read can return) and when. */
  private remember(changes: NotificationChanges): void {
    for (const { key, notification } of changes.notifications) {
      this.sql.exec(
        "INSERT INTO seen (id, updated_key) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET updated_key = max(updated_key, excluded.updated_key)",
        notification.id,
        key,
      );
    }
    const horizon = pgTime(pgMs(changes.readAt) - HUB_LIMITS.lookbackMs);
    this.sql.exec("DELETE FROM seen WHERE updated_key < ?", horizon);
    this.setMeta("read_at", changes.readAt);
  }

  /** Runs Postgres work; a failure is logged (codes and ids only) and answered false, never thrown at a socket. */
  private async attempt(what: string, work: (ctx: Ctx) => Promise<void>): Promise<boolean> {
    const ctx = createCtx(this.env, { logFields: { userHub: this.userId() } });
    try {
      await work(ctx);
      this.setMeta("failures", null);
      return true;
    } catch (error) {
      const failures = Number(this.meta("failures") ?? 0) + 1;
      this.setMeta("failures", String(failures));
      ctx.logger.warn("live hub postgres failed", { code: "live_hub_postgres_failed", step: what, failures, ...errorFields(error) });
      return false;
    }
  }

  /** The alarm comes back after a failure, sooner than a refresh: 1 s, 2 s, 4 s... up to the refresh interval. */
  private async retryLater(): Promise<void> {
    const failures = Math.max(1, Number(this.meta("failures") ?? 1));
    const at = Date.now() + Math.min(HUB_LIMITS.retryMs * 2 ** (failures - 1), PRESENCE_REFRESH_MS);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  private run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.queue.then(job);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private openSockets(exceptId?: string): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => {
      if (ws.readyState !== WebSocket.OPEN) return false;
      return exceptId === undefined || (ws.deserializeAttachment() as Attachment | null)?.socketId !== exceptId;
    });
  }

  /** Sends to every open socket; answers how many. */
  private broadcast(frame: LiveFrame): number {
    let reached = 0;
    for (const ws of this.openSockets()) if (this.send(ws, frame)) reached += 1;
    return reached;
  }

  private send(ws: WebSocket, frame: LiveFrame): boolean {
    try {
      ws.send(JSON.stringify(frame));
      return true;
    } catch {
      // Closing under us: its close handler does the rest.
      return false;
    }
  }

  private userId(): number | null {
    const stored = this.meta("user_id");
    return hubUserId(this.ctx.id.name) ?? (stored === null ? null : Number(stored));
  }

  private requireUserId(): number {
    const id = this.userId();
    if (id === null) throw new Error("this hub does not know its dancer yet");
    return id;
  }

  private meta(key: MetaKey): string | null {
    return this.sql.exec<{ value: string | null }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  private setMeta(key: MetaKey, value: string | null): void {
    this.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
  }
}
