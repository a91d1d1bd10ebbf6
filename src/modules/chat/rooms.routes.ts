import { IdempotencyKeyHeader } from "../../lib/idempotency";
import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { ChatRoomSchema, CreateRoomBody, RoomSettingsBody, UpdateRoomBody } from "./rooms.schemas";

const route = moduleRoutes("Chat");

/** Rooms are private to their members. */
export const notMember = "A room the caller is not a member of is a 404, whether or not it exists.";

export const create = route.authed({
  method: "post",
  path: "/api/chat/rooms",
  summary: "Open a direct room (get-or-create), create a group room, or open an event's room",
  description:
    "`{type: \"direct\", userId}`: the one room of the caller and that dancer, 201 when this request made it, 200 when " +
    "it existed (exactly one per pair, however many ask at once). Yourself: 400 `cannot_message_self`; an unknown, " +
    "suspended or deactivated dancer, or a block either way: 404. When the dancer takes messages only from friends " +
    "(and the caller is not one) or from nobody, no new room is made (403 `messages_not_allowed`), but a room the two " +
    "already have is answered (200), so its history stays reachable.\n\n" +
    "`{type: \"group\", name, avatar?, memberIds}`: 201; the creator is its admin; every member must be a usable " +
    "account with no block either way with the creator (400 `unknown_user`, naming each field); takes an " +
    "`Idempotency-Key`.\n\n" +
    "`{type: \"event\", eventId}`: the event's organizers open its room (one per event): 201 with the organizers as " +
    "admins and the dancers going as members, or 200 with the room that exists (an organizer not in it joins it). " +
    "An event the caller may not see: 404; one they do not organize: 403 `not_event_organizer`.",
  request: { headers: IdempotencyKeyHeader, body: jsonBody(CreateRoomBody) },
  responses: {
    200: jsonContent(ChatRoomSchema, "The room that existed"),
    201: jsonContent(ChatRoomSchema, "Created"),
    ...problems(400, 403, 404, 415, 422),
  },
});

export const list = route.authed({
  method: "get",
  path: "/api/chat/rooms",
  summary: "The caller's rooms: pinned first, then the latest activity first",
  description:
    "Each with the caller's role, pin and mute, the last message (from the room's own columns), the unread count " +
    "(messages after the last one the caller read) and up to 5 other members' cards (a direct room's other dancer " +
    "always, with `blocked` when a block stands either way). One statement; keyset cursor.",
  request: { query: PageQuery },
  responses: { 200: jsonContent(pageSchema(ChatRoomSchema), "A page of rooms"), ...problems(400) },
});

export const get = route.authed({
  method: "get",
  path: "/api/chat/rooms/{id}",
  object: "chat_room",
  summary: "One of the caller's rooms",
  description: `The same item as the room list. ${notMember}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(ChatRoomSchema, "The room"), ...problems(400, 404) },
});

export const update = route.authed({
  method: "patch",
  path: "/api/chat/rooms/{id}",
  object: "chat_room",
  summary: "Rename a group or event room, or change its avatar (its admins)",
  description:
    "`avatar` is an image uploaded with POST /api/media (null removes it). Direct rooms have no name: 400 " +
    `\`direct_room\`; members who are not admins: 403 \`not_room_admin\`. ${notMember}`,
  request: { params: IdParam, body: jsonBody(UpdateRoomBody) },
  responses: { 200: jsonContent(ChatRoomSchema, "The room as edited"), ...problems(400, 403, 404, 415) },
});

export const settings = route.authed({
  method: "put",
  path: "/api/chat/rooms/{id}/settings",
  object: "chat_room",
  summary: "Pin or mute a room, for the caller only",
  description: `Pinned rooms come first in the caller's list; muted rooms send them no notification. Fields left out stay as they are. ${notMember}`,
  request: { params: IdParam, body: jsonBody(RoomSettingsBody) },
  responses: { 200: jsonContent(ChatRoomSchema, "The room with the caller's settings"), ...problems(400, 404, 415) },
});
