// What reaches a dancer's devices over `GET /api/live`, and how other parts of the app hand it
// to their UserHub Durable Object (one per dancer, named by their id).

import type { NotificationView } from "../notifications";

/** A message in a room, as a live room-activity event previews it. */
export interface RoomActivityMessage {
  id: number;
  userId: number;
  /** The text's first 140 characters. */
  preview: string;
  createdAt: string;
}

/** Events a UserHub pushes to every socket of its dancer (JSON text frames). */
export type LiveEvent =
  /**
   * New or bumped notifications (the hub reads them from Postgres; each as `GET /api/notifications`
   * shows it, newest first), with the unread count; none, with the new count, after a read.
   */
  | { type: "notifications"; notifications: NotificationView[]; unreadCount: number }
  /** New messages in a room the dancer is not connected to: the newest, and how many came. */
  | { type: "room_activity"; roomId: number; message: RoomActivityMessage; count: number };

/** Frames a socket of `GET /api/live` receives: the events above, and these of its own. */
export type LiveFrame =
  | LiveEvent
  /** First, once the hub has read the dancer's unread count (null when Postgres could not be reached: a `notifications` event follows when it can). */
  | { type: "ready"; userId: number; unreadCount: number | null }
  /** A frame the hub does not take (it only pushes; see {@link LIVE_PING}). */
  | { type: "error"; code: "unsupported_frame"; message: string };

/**
 * Close codes of the live channel (4000-4999 are the application's own). The same as the chat
 * rooms' for the same reason: clients should not reconnect.
 */
export const LIVE_CLOSE = {
  /** The account was suspended or deactivated (checked when the channel opens, and at each presence refresh). */
  accountDisabled: 4004,
} as const;

/** A client keeps its socket alive by sending this text; the runtime answers {@link LIVE_PONG} without waking the hub. */
export const LIVE_PING = "ping";
export const LIVE_PONG = "pong";

/**
 * The upgrade header in which the Worker tells the hub whose socket it is (the Worker drops
 * whatever a client sent under that name; the hub refuses an id that is not its own).
 */
export const LIVE_USER_HEADER = "x-live-user";

/** The hub's RPC methods. */
export interface UserHubRpc {
  /**
   * Something changed for this dancer: `notifications` asks the hub to read their notifications
   * changed since it last looked and push them; `rooms` are room activity to push as is. Cheap
   * when the dancer has no socket open (nothing is read). Answers how many sockets it reached
   * (0 as well when it had nothing new to push).
   */
  publish(input: { notifications?: boolean; rooms?: Extract<LiveEvent, { type: "room_activity" }>[] }): Promise<number>;
}

/**
 * The stub of a dancer's hub.
 *
 * @example
 * await userHubStub(env, userId).publish({ notifications: true });
 */
export function userHubStub(env: Env, userId: number) {
  return env.USER_HUB.get(env.USER_HUB.idFromName(`user:${userId}`));
}
