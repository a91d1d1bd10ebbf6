// What reaches a dancer's devices over `GET /api/live`, and how other parts of the app hand it
// to their UserHub Durable Object (one per dancer, named by their id).

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
  /** New or bumped notifications (the hub reads them from Postgres), with the unread count. */
  | { type: "notifications"; notifications: unknown[]; unreadCount: number }
  /** New messages in a room the dancer is not connected to: the newest, and how many came. */
  | { type: "room_activity"; roomId: number; message: RoomActivityMessage; count: number };

/** The hub's RPC methods. */
export interface UserHubRpc {
  /**
   * Something changed for this dancer: `notifications` asks the hub to read their notifications
   * changed since it last looked and push them; `rooms` are room activity to push as is. Cheap
   * when the dancer has no socket open (nothing is read). Answers how many sockets it reached.
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
