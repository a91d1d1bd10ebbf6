/**
 * The dancer's live channel (`GET /api/live`, API.md): one socket per tab, opened with the
 * access token as a subprotocol (`["bearer", token]`, never in the URL), reopened with a
 * backoff after a drop, after the network returns, and with the new token after a renewal.
 * Pages subscribe with `useLive`.
 */
import { useEffect } from "hono/jsx/dom";
import type { InferResponseType } from "hono/client";
import { accessToken, type api, onSessionChange, socketUrl } from "./api";

export type Notification = InferResponseType<typeof api.api.notifications.$get, 200>["items"][number];

export type LiveFrame =
  | { type: "ready"; userId: number; unreadCount: number | null }
  | { type: "notifications"; notifications: Notification[]; unreadCount: number | null }
  | { type: "room_activity"; roomId: number; message: { id: number; userId: number; preview: string; createdAt: string }; count: number };

type Listener = (frame: LiveFrame) => void;

const listeners = new Set<Listener>();
let socket: WebSocket | null = null;
let token: string | null = null;
let retry = 0;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let pingTimer: ReturnType<typeof setInterval> | undefined;

function close(): void {
  clearTimeout(retryTimer);
  clearInterval(pingTimer);
  const open = socket;
  socket = null;
  open?.close(1000, "client closed");
}

function connect(): void {
  close();
  token = accessToken();
  if (!token || !navigator.onLine) return;
  const ws = new WebSocket(socketUrl("/api/live"), ["bearer", token]);
  socket = ws;
  ws.onopen = () => {
    retry = 0;
    // Keeps proxies from closing an idle socket; answered by the runtime without waking the hub.
    pingTimer = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send("ping"), 30_000);
  };
  ws.onmessage = (event) => {
    if (typeof event.data !== "string" || event.data === "pong") return;
    let frame: LiveFrame;
    try {
      frame = JSON.parse(event.data) as LiveFrame;
    } catch {
      return;
    }
    for (const listener of listeners) listener(frame);
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    clearInterval(pingTimer);
    socket = null;
    // Backoff up to 30 s; a 401 close is mended by the next renewal, which reconnects.
    retry = Math.min(retry + 1, 5);
    retryTimer = setTimeout(connect, Math.min(30_000, 500 * 2 ** retry));
  };
}

/** Opens the channel while a dancer is signed in; follows sign-in, renewal and sign-out. */
export function startLive(): void {
  onSessionChange(() => (accessToken() === token ? undefined : connect()));
  window.addEventListener("online", connect);
  window.addEventListener("offline", close);
  connect();
}

/** Calls `listener` with every frame while the component is mounted. */
export function useLive(listener: Listener, deps: readonly unknown[] = []): void {
  useEffect(() => {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, deps);
}
