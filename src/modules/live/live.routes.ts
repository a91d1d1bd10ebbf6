import { z } from "@hono/zod-openapi";
import { problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { LIVE_PING, LIVE_PONG } from "./live.rpc";

const route = moduleRoutes("Live");

export const connect = route.authed({
  method: "get",
  path: "/api/live",
  summary: "The caller's live channel (WebSocket): notifications, unread count, room activity",
  description:
    "A WebSocket upgrade. The access token goes in `Authorization: Bearer`, in `?token=`, or, from a browser, as the " +
    'subprotocols `["bearer", "<token>"]` (answered with `bearer`). Every device of a dancer may hold one. JSON text ' +
    'frames from the server: `{type:"ready", userId, unreadCount}` first; `{type:"notifications", notifications, ' +
    "unreadCount}` when notifications are written or bumped (each as `GET /api/notifications` shows it, newest first) " +
    'or read on another device (then `notifications` is empty); `{type:"room_activity", roomId, message:{id, userId, ' +
    "preview, createdAt}, count}` for new messages in a room whose socket the dancer does not have open. " +
    `Send \`${LIVE_PING}\` to keep it open (answered \`${LIVE_PONG}\`); nothing else is taken. ` +
    "A token past its 15 minutes does not close an open channel; an account suspended or deactivated cannot open one.",
  request: {
    query: z.object({
      token: z
        .string()
        .max(4096)
        .optional()
        .openapi({ description: "The access token, for clients that cannot set headers on a WebSocket (prefer the subprotocol: URLs are logged)" }),
    }),
  },
  responses: {
    101: { description: "Switching Protocols: the channel is open" },
    ...problems(400, 403, 426),
  },
});
