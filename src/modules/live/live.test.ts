import { neonConfig } from "@neondatabase/serverless";
import { countRoundTrips } from "../../../test/roundtrips";
import { createExecutionContext, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { livePresence, users } from "../../../drizzle/schema";
import { signedIn, tokenFor } from "../../../test/auth";
import { createEvent, createNotification, createPost, createUser, rsvp } from "../../../test/factories";
import { useSharedDatabase } from "../../../test/harness";
import worker from "../../../workers/api";
import { runScheduled } from "../../jobs";
import { LIVE_CLOSE, LIVE_USER_HEADER, type LiveFrame, userHubStub } from "./live.rpc";
import { HUB_LIMITS } from "./user-hub.do";

const t = useSharedDatabase();

type Via = "header" | "query" | "protocol";

/** A device's live socket, with the frames it got. */
class LiveSocket {
  readonly frames: LiveFrame[] = [];
  private waiters: (() => void)[] = [];
  closed = false;
  closeCode: number | undefined;

  constructor(
    readonly res: Response,
    readonly ws: WebSocket,
  ) {
    ws.accept();
    ws.addEventListener("message", (event) => {
      this.frames.push(typeof event.data === "string" && event.data.startsWith("{") ? JSON.parse(event.data) : event.data);
      for (const wake of this.waiters.splice(0)) wake();
    });
    ws.addEventListener("close", (event) => {
      this.closed = true;
      this.closeCode = event.code;
    });
  }

  /** The first frame (from `from` on) that matches, waiting up to `ms`. */
  async next<T = LiveFrame>(match: (frame: any) => boolean, ms = 5_000, from = 0): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found !== undefined) return found as T;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame in ${ms} ms; got ${JSON.stringify(this.frames).slice(0, 600)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits `ms` and answers the frames that came meanwhile. */
  async quiet(ms = 300): Promise<LiveFrame[]> {
    const before = this.frames.length;
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.frames.slice(before);
  }

  close(): void {
    this.ws.close(1000, "bye");
  }
}

const open: LiveSocket[] = [];
afterEach(() => {
  for (const socket of open.splice(0)) if (!socket.closed) socket.close();
});

/** `GET /api/live` through the Worker, as a client would open it. */
async function upgrade(token: string | undefined, via: Via = "header", extra: Record<string, string> = {}) {
  const headers = new Headers({ upgrade: "websocket", ...extra });
  let url = "https://api.mundotango.test/api/live";
  if (token !== undefined && via === "header") headers.set("authorization", `Bearer ${token}`);
  if (token !== undefined && via === "query") url += `?token=${encodeURIComponent(token)}`;
  if (token !== undefined && via === "protocol") headers.set("sec-websocket-protocol", `bearer, ${token}`);
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(url, { headers }), t.env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function connect(token: string, via: Via = "header", extra: Record<string, string> = {}): Promise<LiveSocket> {
  const res = await upgrade(token, via, extra);
  if (res.status !== 101) throw new Error(`upgrade answered ${res.status}: ${await res.text()}`);
  const socket = new LiveSocket(res, res.webSocket!);
  open.push(socket);
  await socket.next((f) => f.type === "ready");
  return socket;
}

async function presenceOf(userId: number) {
  const [row] = await t.db.select().from(livePresence).where(eq(livePresence.userId, userId));
  return row;
}

async function until(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}


const isNotifications = (frame: LiveFrame) => frame.type === "notifications";

describe("GET /api/live: who may open it", () => {
  it("refuses an anonymous caller and every invalid token with 401, before any socket", async () => {
    const { user } = await signedIn(t);
    const forged = `${(await tokenFor(t, user)).slice(0, -4)}AAAA`;
    const refused = [
      await upgrade(undefined),
      await upgrade(forged, "header"),
      await upgrade(forged, "query"),
      await upgrade(forged, "protocol"),
      await upgrade("not-a-jwt", "protocol"),
      await upgrade(undefined, "header", { "sec-websocket-protocol": "bearer" }),
    ];
    for (const res of refused) {
      expect(res.status).toBe(401);
      expect(res.webSocket).toBeNull();
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
    expect(await presenceOf(user.id)).toBeUndefined();
  });

  it("answers 426 to a request without an upgrade", async () => {
    const { token } = await signedIn(t);
    const res = await t.api.get("/api/live", { token });
    expect(res.status).toBe(426);
    expect(res.body.code).toBe("upgrade_required");
  });

  it("refuses a suspended or deactivated account with 403, its token still valid", async () => {
    for (const overrides of [{ suspended: true }, { isActive: false }]) {
      const { user, token } = await signedIn(t, overrides);
      const res = await upgrade(token);
      expect(res.status).toBe(403);
      expect(res.webSocket).toBeNull();
      expect((await res.json<{ code: string }>()).code).toBe("account_disabled");
      expect(await presenceOf(user.id)).toBeUndefined();
    }
  });

  it("closes the channel of an account suspended while it is open, at the next presence refresh", async () => {
    const ana = await signedIn(t);
    const [phone, laptop] = [await connect(ana.token), await connect(ana.token)];
    await t.db.update(users).set({ suspended: true }).where(eq(users.id, ana.user.id));
    expect(await runDurableObjectAlarm(userHubStub(t.env, ana.user.id))).toBe(true);
    await until(() => Promise.resolve(phone.closed && laptop.closed));
    expect([phone.closeCode, laptop.closeCode]).toEqual([LIVE_CLOSE.accountDisabled, LIVE_CLOSE.accountDisabled]);
    expect(await presenceOf(ana.user.id)).toBeUndefined();
    // And it cannot open another, even with a token issued before.
    expect((await upgrade(ana.token)).status).toBe(403);
  });

  it("takes the token from Authorization, ?token= or the subprotocols, answering `bearer` to the last", async () => {
    const { user, token } = await signedIn(t);
    for (const via of ["header", "query", "protocol"] as const) {
      const socket = await connect(token, via);
      expect(socket.frames[0]).toEqual({ type: "ready", userId: user.id, unreadCount: 0 });
      expect(socket.res.headers.get("sec-websocket-protocol")).toBe(via === "protocol" ? "bearer" : null);
    }
  });

  it("connects to the caller's own hub whatever identity header the client sends", async () => {
    const [{ user, token }, other] = await Promise.all([signedIn(t), createUser(t.db)]);
    const socket = await connect(token, "header", { [LIVE_USER_HEADER]: String(other.id) });
    expect(socket.frames[0]).toMatchObject({ type: "ready", userId: user.id });
    expect(await presenceOf(other.id)).toBeUndefined();
    // The hub itself refuses an identity that is not its own.
    const res = await userHubStub(t.env, other.id).fetch("https://user-hub/connect", {
      headers: { upgrade: "websocket", [LIVE_USER_HEADER]: String(user.id) },
    });
    expect(res.status).toBe(403);
  });
});

describe("GET /api/live: notifications", () => {
  it("pushes a follow by another dancer, through the API, with the unread count", async () => {
    const [ana, bruno] = await Promise.all([signedIn(t), signedIn(t)]);
    const socket = await connect(ana.token);
    expect(socket.frames[0]).toEqual({ type: "ready", userId: ana.user.id, unreadCount: 0 });

    expect((await t.api.post(`/api/users/${ana.user.id}/follow`, { token: bruno.token })).status).toBe(200);
    const frame = await socket.next<Extract<LiveFrame, { type: "notifications" }>>(isNotifications);
    expect(frame.unreadCount).toBe(1);
    expect(frame.notifications).toHaveLength(1);
    // The list's card, exactly.
    const listed = await t.api.get("/api/notifications", { token: ana.token });
    expect(frame.notifications[0]).toEqual(listed.body.items[0]);
    expect(frame.notifications[0]).toMatchObject({ type: "new_follower", actor: { id: bruno.user.id }, count: 1, isRead: false });
  });

  it("pushes to every device of the dancer, and a bump again with its new count", async () => {
    const [ana, bruno, carla] = await Promise.all([signedIn(t), signedIn(t), signedIn(t)]);
    const post = await createPost(t.db, { userId: ana.user.id, visibility: "public" });
    const phone = await connect(ana.token, "protocol");
    const laptop = await connect(ana.token, "query");

    await t.api.post(`/api/posts/${post.id}/like`, { token: bruno.token });
    for (const device of [phone, laptop]) {
      const frame = await device.next<Extract<LiveFrame, { type: "notifications" }>>(isNotifications);
      expect(frame).toMatchObject({ unreadCount: 1, notifications: [{ type: "post_like", subjectId: post.id, count: 1, actor: { id: bruno.user.id } }] });
    }
    const seen = phone.frames.length;
    await t.api.post(`/api/posts/${post.id}/like`, { token: carla.token });
    const bumped = await phone.next<Extract<LiveFrame, { type: "notifications" }>>(isNotifications, 5_000, seen);
    expect(bumped).toMatchObject({ unreadCount: 1, notifications: [{ type: "post_like", count: 2, actor: { id: carla.user.id } }] });
  });

  it("pushes the unread count when notifications are read, on every device", async () => {
    const ana = await signedIn(t);
    const [first, second] = await Promise.all([createNotification(t.db, { userId: ana.user.id }), createNotification(t.db, { userId: ana.user.id })]);
    const phone = await connect(ana.token);
    const laptop = await connect(ana.token);
    expect(phone.frames[0]).toMatchObject({ unreadCount: 2 });

    expect((await t.api.post(`/api/notifications/${first.id}/read`, { token: ana.token })).status).toBe(204);
    for (const device of [phone, laptop]) expect(await device.next(isNotifications)).toEqual({ type: "notifications", notifications: [], unreadCount: 1 });

    const seen = [phone.frames.length, laptop.frames.length];
    expect((await t.api.post("/api/notifications/read-all", { token: ana.token })).body).toEqual({ updated: 1 });
    expect(await phone.next(isNotifications, 5_000, seen[0])).toEqual({ type: "notifications", notifications: [], unreadCount: 0 });
    expect(await laptop.next(isNotifications, 5_000, seen[1])).toEqual({ type: "notifications", notifications: [], unreadCount: 0 });

    // Reading again changes nothing, so nothing is pushed.
    await t.api.post(`/api/notifications/${second.id}/read`, { token: ana.token });
    await t.api.post("/api/notifications/read-all", { token: ana.token });
    expect(await phone.quiet()).toEqual([]);
  });

  it("pushes a cron job's notifications (an event reminder)", async () => {
    const [ana, organizer] = await Promise.all([signedIn(t), createUser(t.db)]);
    const event = await createEvent(t.db, { userId: organizer.id, status: "published", startDate: new Date(Date.now() + 30 * 60_000) });
    await rsvp(t.db, event.id, ana.user.id, "going");
    const socket = await connect(ana.token);

    await runScheduled("* * * * *", t.env, new Date());
    const frame = await socket.next<Extract<LiveFrame, { type: "notifications" }>>(isNotifications);
    expect(frame).toMatchObject({ unreadCount: 1, notifications: [{ type: "event_reminder", data: { eventId: event.id, kind: "1h" } }] });
  });

  it("pushes a notification whose transaction began before the last read, once", async () => {
    const ana = await signedIn(t);
    const socket = await connect(ana.token);
    // The hub reads (a read-all answers the new count: none, so nothing is sent, but it reads).
    await createNotification(t.db, { userId: ana.user.id });
    await userHubStub(t.env, ana.user.id).publish({ notifications: true });
    await socket.next(isNotifications);
    // A notification written by a transaction that started 20 s ago and commits only now.
    const late = await createNotification(t.db, { userId: ana.user.id, updatedAt: new Date(Date.now() - 20_000) });
    const old = await createNotification(t.db, { userId: ana.user.id, updatedAt: new Date(Date.now() - HUB_LIMITS.lookbackMs - 60_000) });
    const from = socket.frames.length;
    await userHubStub(t.env, ana.user.id).publish({ notifications: true });
    const frame = await socket.next<Extract<LiveFrame, { type: "notifications" }>>(isNotifications, 5_000, from);
    expect(frame.notifications.map((n) => n.id)).toEqual([late.id]);
    expect(frame.unreadCount).toBe(3);
    expect(old.id).toBeGreaterThan(0);
    // Asked again, the hub has nothing new to say.
    expect(await userHubStub(t.env, ana.user.id).publish({ notifications: true })).toBe(0);
    expect(await socket.quiet()).toEqual([]);
  });

  it("does not drop a notification written while the socket is being opened", async () => {
    const [ana, bruno] = await Promise.all([signedIn(t), signedIn(t)]);
    const original = neonConfig.fetchFunction;
    // The connect's read answers late: the follow lands after it read and before the socket is open.
    let held: () => void = () => undefined;
    const holding = new Promise<void>((resolve) => (held = resolve));
    neonConfig.fetchFunction = async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await fetch(input, init);
      // The hub's connect batch: the presence row and the first read.
      if (typeof init?.body === "string" && init.body.includes("INSERT INTO live_presence") && init.body.includes("pg_now")) await holding;
      return res;
    };
    let opening: Promise<Response>;
    // The follow's response comes at once; its publish (in waitUntil) waits for the socket's opening.
    const followCtx = createExecutionContext();
    try {
      opening = upgrade(ana.token);
      await until(async () => (await presenceOf(ana.user.id)) !== undefined);
      neonConfig.fetchFunction = original;
      const followed = await worker.fetch(
        new Request(`https://api.mundotango.test/api/users/${ana.user.id}/follow`, { method: "POST", headers: { authorization: `Bearer ${bruno.token}` } }),
        t.env,
        followCtx,
      );
      expect(followed.status).toBe(200);
    } finally {
      neonConfig.fetchFunction = original;
      held();
    }
    await waitOnExecutionContext(followCtx);
    const res = await opening;
    const socket = new LiveSocket(res, res.webSocket!);
    open.push(socket);
    expect(await socket.next((f) => f.type === "ready")).toMatchObject({ unreadCount: 0 });
    expect(await socket.next(isNotifications)).toMatchObject({ unreadCount: 1, notifications: [{ type: "new_follower" }] });
  });

  it("leaves out notifications from a dancer blocked since", async () => {
    const [ana, bruno] = await Promise.all([signedIn(t), signedIn(t)]);
    const socket = await connect(ana.token);
    await t.api.post(`/api/users/${bruno.user.id}/block`, { token: ana.token });
    await createNotification(t.db, { userId: ana.user.id, actorId: bruno.user.id });
    expect(await userHubStub(t.env, ana.user.id).publish({ notifications: true })).toBe(0);
    expect(await socket.quiet()).toEqual([]);
  });
});

describe("GET /api/live: room activity, pings, frames", () => {
  it("pushes room activity as the ChatRoom gives it, to every socket", async () => {
    const ana = await signedIn(t);
    const [phone, laptop] = [await connect(ana.token), await connect(ana.token)];
    const activity = {
      type: "room_activity" as const,
      roomId: 12,
      message: { id: 7, userId: 3, preview: "¿Bailamos?", createdAt: "2026-03-01T21:30:00.000Z" },
      count: 2,
    };
    expect(await userHubStub(t.env, ana.user.id).publish({ rooms: [activity] })).toBe(2);
    expect(await phone.next((f) => f.type === "room_activity")).toEqual(activity);
    expect(await laptop.next((f) => f.type === "room_activity")).toEqual(activity);
  });

  it("answers ping with pong, and any other frame with an error, the socket open", async () => {
    const ana = await signedIn(t);
    const socket = await connect(ana.token);
    socket.ws.send("ping");
    expect(await socket.next((f) => f === "pong")).toBe("pong");
    socket.ws.send(JSON.stringify({ type: "send", text: "hola" }));
    expect(await socket.next((f) => f.type === "error")).toMatchObject({ type: "error", code: "unsupported_frame" });
    socket.ws.send("ping");
    await socket.next((f) => f === "pong", 5_000, 3);
    expect(socket.closed).toBe(false);
  });
});

describe("GET /api/live: presence and cost", () => {
  it("writes the presence row on connect and deletes it when the last socket closes", async () => {
    const ana = await signedIn(t);
    const phone = await connect(ana.token);
    const row = await presenceOf(ana.user.id);
    expect(row).toMatchObject({ userId: ana.user.id, connections: 1 });
    expect(row!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 9 * 60_000);
    const laptop = await connect(ana.token);
    expect(await presenceOf(ana.user.id)).toMatchObject({ connections: 2 });

    phone.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await presenceOf(ana.user.id)).toBeDefined();
    laptop.close();
    await until(async () => (await presenceOf(ana.user.id)) === undefined);
  });

  it("reads nothing when publish finds no socket open", async () => {
    const ana = await signedIn(t);
    await createNotification(t.db, { userId: ana.user.id });
    const { result, trips } = await countRoundTrips(() => userHubStub(t.env, ana.user.id).publish({ notifications: true }));
    expect(result).toBe(0);
    expect(trips).toBe(0);
  });

  it("adds no round trip to a request that notifies nobody live, and one read in the hub for a dancer live", async () => {
    const [ana, bruno, carla] = await Promise.all([signedIn(t), signedIn(t), signedIn(t)]);
    const post = await createPost(t.db, { userId: bruno.user.id, visibility: "public" });
    // Liking one's own post builds the notification, which notifies nobody.
    expect(await countRoundTrips(() => t.api.post(`/api/posts/${post.id}/like`, { token: bruno.token }))).toMatchObject({ trips: 1 });
    // Carla is notified, but has no channel open: no hub is called.
    expect(await countRoundTrips(() => t.api.post(`/api/users/${carla.user.id}/follow`, { token: ana.token }))).toMatchObject({ trips: 1 });
    // A request that writes no notification at all.
    expect(await countRoundTrips(() => t.api.get("/api/notifications", { token: ana.token }))).toMatchObject({ trips: 1 });
    // Ana is live: the request still makes one round trip; her hub then reads once.
    const socket = await connect(ana.token);
    expect(await countRoundTrips(() => t.api.post(`/api/users/${ana.user.id}/follow`, { token: bruno.token }))).toMatchObject({ trips: 2 });
    await socket.next(isNotifications);
  });

  it("survives Postgres failing: the socket stays, the alarm writes presence and pushes the count later", async () => {
    const ana = await signedIn(t);
    await createNotification(t.db, { userId: ana.user.id });
    const original = neonConfig.fetchFunction;
    // The hub's statements fail (the Worker's account check, which does not name the table, goes through).
    neonConfig.fetchFunction = (input: RequestInfo | URL, init?: RequestInit) =>
      typeof init?.body === "string" && init.body.includes("live_presence") ? Promise.reject(new Error("endpoint down")) : fetch(input, init);
    let socket: LiveSocket;
    try {
      socket = await connect(ana.token, "header");
    } catch (error) {
      neonConfig.fetchFunction = original;
      throw error;
    }
    neonConfig.fetchFunction = original;
    expect(socket.frames[0]).toEqual({ type: "ready", userId: ana.user.id, unreadCount: null });
    expect(await presenceOf(ana.user.id)).toBeUndefined();

    const hub = userHubStub(t.env, ana.user.id);
    expect(await runInDurableObject(hub, (_, state) => state.storage.getAlarm())).toBeGreaterThan(Date.now() - 1_000);
    // Run the retry now, unless it already ran (it is due within a second).
    await runDurableObjectAlarm(hub);
    await until(async () => (await presenceOf(ana.user.id)) !== undefined);
    expect(await presenceOf(ana.user.id)).toMatchObject({ connections: 1 });
    expect(await socket.next(isNotifications)).toEqual({ type: "notifications", notifications: [], unreadCount: 1 });
    // Back on the refresh schedule.
    const next = await runInDurableObject(hub, (_, state) => state.storage.getAlarm());
    expect(next).toBeGreaterThan(Date.now() + 4 * 60_000);
    socket.ws.send("ping");
    await socket.next((f) => f === "pong");
  });

  it("retries a presence delete that failed when the last socket closed, by alarm", async () => {
    const ana = await signedIn(t);
    const socket = await connect(ana.token);
    const original = neonConfig.fetchFunction;
    let refused = 0;
    neonConfig.fetchFunction = (input: RequestInfo | URL, init?: RequestInit) => {
      if (typeof init?.body === "string" && init.body.includes("live_presence")) {
        refused += 1;
        return Promise.reject(new Error("endpoint down"));
      }
      return fetch(input, init);
    };
    try {
      socket.close();
      await until(() => Promise.resolve(refused > 0));
    } finally {
      neonConfig.fetchFunction = original;
    }
    expect(await presenceOf(ana.user.id)).toBeDefined();
    const hub = userHubStub(t.env, ana.user.id);
    const retryAt = await runInDurableObject(hub, (_, state) => state.storage.getAlarm());
    expect(retryAt).toBeLessThan(Date.now() + 10_000);
    // Run it now, unless it already ran (it is due within seconds): only the alarm deletes the row.
    await runDurableObjectAlarm(hub);
    await until(async () => (await presenceOf(ana.user.id)) === undefined);
    // Nothing open, nothing to keep: no further alarm.
    expect(await runInDurableObject(hub, (_, state) => state.storage.getAlarm())).toBeNull();
  });

  it("refreshes the presence row by alarm while a socket is open, and removes one its hub no longer holds", async () => {
    const ana = await signedIn(t);
    await connect(ana.token);
    await t.db.update(livePresence).set({ expiresAt: sql`now()::timestamp + interval '1 minute'` }).where(eq(livePresence.userId, ana.user.id));
    const hub = userHubStub(t.env, ana.user.id);
    expect(await runDurableObjectAlarm(hub)).toBe(true);
    expect((await presenceOf(ana.user.id))!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 9 * 60_000);

    // A row left behind (say, a hub restarted without its close handler running) goes at the next alarm.
    const gone = await signedIn(t);
    await connect(gone.token);
    for (const socket of open.splice(-1)) socket.close();
    await until(async () => (await presenceOf(gone.user.id)) === undefined);
    await t.db.insert(livePresence).values({ userId: gone.user.id, connections: 1, expiresAt: new Date(Date.now() + 60_000) });
    await runInDurableObject(userHubStub(t.env, gone.user.id), async (_, state) => {
      state.storage.sql.exec("UPDATE meta SET value = 'on' WHERE key = 'presence'");
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    expect(await runDurableObjectAlarm(userHubStub(t.env, gone.user.id))).toBe(true);
    expect(await presenceOf(gone.user.id)).toBeUndefined();
  });
});
