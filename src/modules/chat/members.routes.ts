import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { notMember } from "./rooms.routes";
import { AddedMembersSchema, AddMembersBody, ChatMemberSchema, ChatRoomSchema, MemberParams, RoleBody } from "./rooms.schemas";

const route = moduleRoutes("Chat");

const lastAdmin = "The last admin cannot leave or step down while others remain (409 `last_admin`): they make another member an admin first.";

export const list = route.authed({
  method: "get",
  path: "/api/chat/rooms/{id}/members",
  object: "chat_room",
  summary: "A room's members, in the order they joined",
  description:
    "Cards with each member's role and when they joined. In group and event rooms dancers blocked either way with " +
    `the caller, and suspended or deactivated accounts, are left out. ${notMember}`,
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(ChatMemberSchema), "A page of members"), ...problems(400, 404) },
});

export const add = route.authed({
  method: "post",
  path: "/api/chat/rooms/{id}/members",
  object: "chat_room",
  summary: "Add dancers to a group room (its admins)",
  description:
    "Members already are left as they are (idempotent). Each dancer must be a usable account with no block either " +
    "way with the admin, else nothing changes (400 `unknown_user`, naming each field). Direct rooms: 400 " +
    "`direct_room`; event rooms: 400 `event_room` (dancers going join them); members who are not admins: 403 " +
    `\`not_room_admin\`. ${notMember}`,
  request: { params: IdParam, body: jsonBody(AddMembersBody) },
  responses: { 200: jsonContent(AddedMembersSchema, "Who was added, and how many members the room has"), ...problems(400, 403, 404, 415) },
});

export const remove = route.authed({
  method: "delete",
  path: "/api/chat/rooms/{id}/members/{userId}",
  object: "chat_room",
  summary: "Remove a member (an admin), or leave (yourself)",
  description:
    "Their open sockets to the room are closed. The last member leaving deletes the room. " +
    `${lastAdmin} Direct rooms: 400 \`direct_room\`; removing another member without being an admin: 403 ` +
    `\`not_room_admin\`; no such member: 404. ${notMember}`,
  request: { params: MemberParams },
  responses: { 204: { description: "Not a member any more" }, ...problems(400, 403, 404, 409) },
});

export const changeRole = route.authed({
  method: "put",
  path: "/api/chat/rooms/{id}/members/{userId}/role",
  object: "chat_room",
  summary: "Make a member an admin, or an admin a member (the room's admins)",
  description:
    `Admins rename the room and manage its members. ${lastAdmin} Direct rooms: 400 \`direct_room\`; members who are ` +
    `not admins: 403 \`not_room_admin\`; no such member: 404. ${notMember}`,
  request: { params: MemberParams, body: jsonBody(RoleBody) },
  responses: { 200: jsonContent(ChatMemberSchema, "The member with their role"), ...problems(400, 403, 404, 409, 415) },
});

export const leave = route.authed({
  method: "post",
  path: "/api/chat/rooms/{id}/leave",
  object: "chat_room",
  summary: "Leave a group or event room",
  description: `The caller's sockets to the room are closed; the last member leaving deletes the room. ${lastAdmin} Direct rooms: 400 \`direct_room\`. ${notMember}`,
  request: { params: IdParam },
  responses: { 204: { description: "Left" }, ...problems(400, 404, 409) },
});

export const join = route.authed({
  method: "post",
  path: "/api/chat/rooms/{id}/join",
  object: "chat_room",
  summary: "Join an event's room (its organizers and the dancers going)",
  description:
    "Organizers join as admins, dancers whose RSVP is `going` as members, with nothing unread. A member already is " +
    `answered the room as it is (idempotent). Anyone else: 404. ${notMember}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(ChatRoomSchema, "The room"), ...problems(400, 404) },
});
