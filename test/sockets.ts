import { createExecutionContext, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { expect } from "vitest";
import { chatRoomStub } from "../src/modules/chat/chat-room.rpc";
import worker from "../workers/api";
import type { TestContext } from "./harness";

/** How a socket's token travels: the header, the query string, or the subprotocols a browser offers. */
export type TokenVia = "header" | "query" | "protocol";

/** A frame the room sent, parsed (its fields read loosely, as tests read JSON bodies). */
export type Frame = Record<string, any>;

/** A client socket opened through the Worker, with the frames it received. */
export interface TestSocket {
  ws: WebSocket;
  /** Every frame received, parsed, in order (also those `next` consumed). */
  frames: Frame[];
  /** The next frame not yet taken that matches (by `type` when a string), waiting for it if needed. */
  next(match?: string | ((frame: Frame) => boolean), timeoutMs?: number): Promise<Frame>;
  /** Fails if a matching frame arrives (or is waiting) within `ms`. */
  expectNone(match: string | ((frame: Frame) => boolean), ms?: number): Promise<void>;
  send(frame: unknown): void;
  /** Resolves with the close code and reason once the room closes the socket. */
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export interface Opened {
  status: number;
  headers: Headers;
  /** The problem body when the upgrade was refused. */
  body?: any;
  socket?: TestSocket;
}

const open = new Set<TestSocket>();
const rooms = new Set<number>();

const matcher = (match?: string | ((frame: Frame) => boolean)) =>
  match === undefined ? () => true : typeof match === "string" ? (frame: Frame) => frame.type === match : match;

function wrap(ws: WebSocket): TestSocket {
  const frames: Frame[] = [];
  const waiting: Frame[] = [];
  const waiters: { test: (frame: Frame) => boolean; resolve: (frame: Frame) => void }[] = [];
  let onClose: (value: { code: number; reason: string }) => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClose = resolve));
  ws.addEventListener("message", (event) => {
    const frame = (typeof event.data === "string" ? JSON.parse(event.data) : { binary: true }) as Frame;
    frames.push(frame);
    const at = waiters.findIndex((w) => w.test(frame));
    if (at >= 0) waiters.splice(at, 1)[0]!.resolve(frame);
    else waiting.push(frame);
  });
  ws.addEventListener("close", (event) => onClose({ code: event.code, reason: event.reason }));
  const socket: TestSocket = {
    ws,
    frames,
    next(match, timeoutMs = 5000) {
      const test = matcher(match);
      const at = waiting.findIndex(test);
      if (at >= 0) return Promise.resolve(waiting.splice(at, 1)[0]!);
      return new Promise<Frame>((resolve, reject) => {
        const waiter = { test, resolve };
        waiters.push(waiter);
        setTimeout(() => {
          const index = waiters.indexOf(waiter);
          if (index < 0) return;
          waiters.splice(index, 1);
          reject(new Error(`no frame matching ${String(match)} within ${timeoutMs} ms; got ${JSON.stringify(frames).slice(-600)}`));
        }, timeoutMs);
      });
    },
    async expectNone(match, ms = 300) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      const test = matcher(match);
      expect(waiting.filter(test), `unexpected frames matching ${String(match)}`).toEqual([]);
    },
    send(frame) {
      ws.send(typeof frame === "string" || frame instanceof ArrayBuffer ? frame : JSON.stringify(frame));
    },
    closed,
    close() {
      try {
        ws.close(1000, "done");
      } catch {
        // Already closed.
      }
      open.delete(socket);
    },
  };
  void closed.then(() => open.delete(socket));
  return socket;
}

/**
 * Opens a room's socket through the Worker (`GET /api/chat/rooms/{id}/ws` with `Upgrade:
 * websocket`), the token sent `via` the header (default), `?token=` or the subprotocols. A
 * refused upgrade answers its status and problem body; an accepted one, the socket (its first
 * frame, `ready`, is left to read). Sockets and rooms are remembered for {@link settleChat}.
 *
 * @example
 * const { socket } = await openSocket(t, room.id, token);
 * const ready = await socket!.next("ready");
 */
export async function openSocket(
  t: TestContext,
  roomId: number,
  token: string | undefined,
  options: { via?: TokenVia; headers?: Record<string, string>; upgrade?: boolean } = {},
): Promise<Opened> {
  const headers = new Headers(options.headers);
  if (options.upgrade !== false) headers.set("upgrade", "websocket");
  let path = `/api/chat/rooms/${roomId}/ws`;
  if (token !== undefined) {
    const via = options.via ?? "header";
    if (via === "header") headers.set("authorization", `Bearer ${token}`);
    else if (via === "query") path += `?token=${encodeURIComponent(token)}`;
    else headers.set("sec-websocket-protocol", `bearer, ${token}`);
  }
  rooms.add(roomId);
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request<unknown, IncomingRequestCfProperties>(`https://api.mundotango.test${path}`, { headers }), t.env, ctx);
  await waitOnExecutionContext(ctx);
  if (res.status !== 101 || !res.webSocket) {
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text && /json/.test(res.headers.get("content-type") ?? "") ? JSON.parse(text) : text };
  }
  res.webSocket.accept();
  const socket = wrap(res.webSocket);
  open.add(socket);
  return { status: res.status, headers: res.headers, socket };
}

/** Opens a socket that must be accepted, and reads its `ready` frame. */
export async function connect(t: TestContext, roomId: number, token: string, options: Parameters<typeof openSocket>[3] = {}) {
  const opened = await openSocket(t, roomId, token, options);
  expect(opened.status, JSON.stringify(opened.body)).toBe(101);
  const socket = opened.socket!;
  const ready = await socket.next("ready");
  return { socket, ready };
}

/** A room's object, as the Worker reaches it. */
export function roomStub(t: TestContext, roomId: number) {
  rooms.add(roomId);
  return chatRoomStub(t.env, roomId);
}

/**
 * Runs a room's flush alarm now (true when one was pending), then waits for any flush still in
 * flight: the alarm may have fired on its own a moment before, and its batch be on its way.
 */
export async function flushRoom(t: TestContext, roomId: number): Promise<boolean> {
  const stub = roomStub(t, roomId);
  const ran = await runDurableObjectAlarm(stub);
  await runInDurableObject(stub, async (instance) => {
    const room = instance as unknown as { flushing: Promise<void> | null };
    while (room.flushing) await room.flushing;
  });
  return ran;
}

/**
 * After each test: closes the sockets it opened and flushes every room it touched until no
 * alarm is left (an alarm left pending would fire in a later test: the integration keeps
 * them). A room whose flush keeps failing has its alarm removed, so it cannot outlive the test.
 */
export async function settleChat(t: TestContext): Promise<void> {
  for (const socket of [...open]) socket.close();
  for (const roomId of rooms) {
    const stub = chatRoomStub(t.env, roomId);
    let runs = 0;
    while ((await runDurableObjectAlarm(stub)) && runs < 5) runs += 1;
    if (runs >= 5) await runInDurableObject(stub, (_instance, state) => state.storage.deleteAlarm());
  }
  rooms.clear();
}

/** Waits until `check` passes (it throws until then), for what happens after a reply: a close, a flush. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5000): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * Puts a fault on the test database's endpoint (tools/neon-local: `refuse`, `hang`,
 * `fail_after_commit`, `none`). Every request to that database suffers it, the Worker's own
 * included: open sockets first. Clear it in a `finally`.
 */
export async function databaseFault(t: TestContext, mode: "refuse" | "hang" | "fail_after_commit" | "none"): Promise<void> {
  const admin = (t.env as Env & { TEST_NEON_LOCAL_URL: string }).TEST_NEON_LOCAL_URL;
  const res = await fetch(`${admin}/_local/databases/${t.databaseName}/fault`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ mode }),
  });
  if (res.status !== 200) throw new Error(`could not set the fault: ${res.status} ${await res.text()}`);
}

/** What a room's object holds, read from its SQLite: for tests of the outbox and the trim. */
export function roomState(t: TestContext, roomId: number) {
  return runInDurableObject(roomStub(t, roomId), async (_instance, state) => {
    const one = (query: string) => Number(state.storage.sql.exec<{ n: number }>(query).one().n);
    const meta = Object.fromEntries(state.storage.sql.exec<{ key: string; value: string }>(`SELECT key, value FROM room_meta`).toArray().map((r) => [r.key, r.value]));
    return {
      retryMs: Number(meta.retryMs ?? 0),
      floor: Number(meta.floor ?? 1),
      lastSeq: Number(meta.lastSeq ?? 0),
      alarm: await state.storage.getAlarm(),
      kept: one(`SELECT count(*) AS n FROM messages`),
      unflushed: one(`SELECT count(*) AS n FROM messages WHERE version > flushed_version`),
      unflushedReactions: one(`SELECT count(*) AS n FROM reactions WHERE version > flushed_version`),
      unflushedReceipts: one(`SELECT count(*) AS n FROM receipts WHERE read_seq > flushed_read_seq OR delivered_seq > flushed_delivered_seq`),
      clientIds: one(`SELECT count(*) AS n FROM client_ids`),
    };
  });
}
