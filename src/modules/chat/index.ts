// The module's public surface: other modules import only from here (a lint rule says so).
// Verbs and protocol come first, so that modules importing each other find them evaluated
// before the routers pull in handlers.
export { roomAccess, type RoomAccess } from "./chat.access";
export { chatRoomStub, IDENTITY_HEADER, type ChatRoomRpc, type RoomIdentity, type SendResult } from "./chat-room.rpc";
export { ChatMessageSchema, CLOSE, type ChatMessage, type ClientFrame, type ServerFrame } from "./chat.protocol";
export { ChatRoom } from "./chat-room.do";
export { messagesAfter } from "./history.service";
export { syncDirectRoomBlock } from "./chat-room.blocks";

import { createRouter } from "../../lib/openapi";
import { roomsRouter } from "./rooms.router";
import { socketRouter } from "./socket.router";

/** Chat: rooms and members, history and search (Postgres), and the rooms' sockets and sends (ChatRoom objects). */
export const chatRouter = createRouter().route("/", roomsRouter).route("/", socketRouter);
