import { z } from "@hono/zod-openapi";
import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { ChatMessageSchema, MAX_FRAME_BYTES, RATE_BURST, RATE_PER_SECOND, SendMessageInput } from "./chat.protocol";

const route = moduleRoutes("Chat");

export const connect = route.authed({
  method: "get",
  path: "/api/chat/rooms/{id}/ws",
  object: "chat_room",
  summary: "Open the room's WebSocket",
  description:
    "A WebSocket upgrade (`Upgrade: websocket`; without it, 426). The access token travels in " +
    "`Authorization: Bearer`, in `?token=`, or as the subprotocols `bearer, <token>` (browsers cannot set " +
    "headers on a WebSocket; the answer then names the `bearer` subprotocol). Only members get a socket: " +
    "anyone else is refused before it opens (404), and a direct room whose two dancers are blocked either " +
    "way is 403 `blocked`. Frames are JSON text, as API.md lists them; the room answers `{\"type\":\"ping\"}` " +
    `with \`{"type":"pong"}\`. Writes (send, edit, delete, react) are limited to a burst of ${RATE_BURST}, then ` +
    `${RATE_PER_SECOND} a second, per socket; a frame is at most ${MAX_FRAME_BYTES} bytes. The room closes the ` +
    "socket with 4001 when the member is removed or leaves, 4002 when the room is blocked, 4003 when it is deleted.",
  request: {
    params: IdParam,
    query: z.object({
      token: z.string().max(4096).optional().openapi({ description: "The access token, for clients that cannot set a header (prefer the subprotocol: URLs end up in logs)" }),
    }),
  },
  responses: {
    101: { description: "Switching Protocols: the room's socket; its first frame is `ready`" },
    ...problems(400, 403, 404, 426, 503),
  },
});

const SentMessageSchema = z
  .object({
    message: ChatMessageSchema,
    duplicate: z.boolean().openapi({ description: "True when this clientId was sent before: the message is the first one, not stored again" }),
  })
  .openapi("SentChatMessage");

export const send = route.authed({
  method: "post",
  path: "/api/chat/rooms/{id}/messages",
  object: "chat_room",
  summary: "Send a message without a socket",
  description:
    "The same path as a socket's `send` frame, through the room's object: numbered, stored, and broadcast to " +
    "every socket in the room before the answer. 201 with the new message; a repeated `clientId` is 200 with the " +
    "first message and `duplicate: true` (never stored twice), and 409 `client_id_reused` if it carried another " +
    "text. `mediaUrl` must be an upload of this service (400 `media_url_not_allowed`), `replyToId` a message of " +
    "this room (404 `reply_not_found`). 403 `blocked` across a block, 403 `messages_not_allowed` when the other " +
    `dancer of a direct room no longer takes the caller's messages. ${RATE_BURST} sends, then ${RATE_PER_SECOND} a second, ` +
    "per dancer and room (429 with Retry-After).",
  request: { params: IdParam, body: jsonBody(SendMessageInput) },
  responses: {
    200: jsonContent(SentMessageSchema, "Sent before with this clientId: the first message"),
    201: jsonContent(SentMessageSchema, "Sent"),
    ...problems(400, 403, 404, 409, 429, 503),
  },
});
