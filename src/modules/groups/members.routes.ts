import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { notVisible } from "./groups.routes";
import { GroupMemberSchema, JoinRequestSchema, MemberParams, MembershipSchema, RoleBody } from "./groups.schemas";

const route = moduleRoutes("Groups");

export const join = route.authed({
  method: "post",
  path: "/api/groups/{id}/join",
  object: "group",
  summary: "Join a group, or ask to join a private one",
  description:
    "An open group (city, interest, professional) makes the caller an active member at once (`memberCount` one more; " +
    "friends already in it and the caller get a `group_joined_together` friendship activity). A private group " +
    "records a `pending` request and notifies its admins and moderators (`group_join_request`). Idempotent: " +
    `joining again answers the membership as it is. ${notVisible}`,
  request: { params: IdParam },
  responses: { 200: jsonContent(MembershipSchema, "The caller's membership"), ...problems(400, 404) },
});

export const leave = route.authed({
  method: "post",
  path: "/api/groups/{id}/leave",
  object: "group",
  summary: "Leave a group, or take back a request to join",
  description:
    "Idempotent: 204 also when the caller was not a member. The group's last admin cannot leave (409 `last_admin`): " +
    `they make another member an admin first, or delete the group. ${notVisible}`,
  request: { params: IdParam },
  responses: { 204: { description: "Not a member (any more)" }, ...problems(400, 404, 409) },
});

export const members = route.viewer({
  method: "get",
  path: "/api/groups/{id}/members",
  object: "group",
  summary: "A group's members, newest first",
  description:
    "Active members as cards with their role; suspended or deactivated accounts, and dancers on either side of a " +
    `block with the caller, are left out. A private group's members are for its members (403 \`not_group_member\`). ${notVisible}`,
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(GroupMemberSchema), "A page of members"), ...problems(400, 403, 404) },
});

export const requests = route.authed({
  method: "get",
  path: "/api/groups/{id}/requests",
  object: "group",
  summary: "Requests to join a private group, oldest first (its admins and moderators)",
  description: `Others are a 403 \`not_group_manager\`. ${notVisible}`,
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(JoinRequestSchema), "A page of requests"), ...problems(400, 403, 404) },
});

export const approve = route.authed({
  method: "post",
  path: "/api/groups/{id}/requests/{userId}/approve",
  object: "group",
  summary: "Approve a request to join (the group's admins and moderators)",
  description:
    "The dancer becomes an active member (`memberCount` one more, `group_joined_together` with friends in the group) " +
    "and is notified (`group_join_approved`). Approving a member again answers them as they are; no request is a 404. " +
    `Others are a 403 \`not_group_manager\`. ${notVisible}`,
  request: { params: MemberParams },
  responses: { 200: jsonContent(GroupMemberSchema, "The new member"), ...problems(400, 403, 404) },
});

export const reject = route.authed({
  method: "post",
  path: "/api/groups/{id}/requests/{userId}/reject",
  object: "group",
  summary: "Turn down a request to join (the group's admins and moderators)",
  description: `The dancer may ask again. No request is a 404; others are a 403 \`not_group_manager\`. ${notVisible}`,
  request: { params: MemberParams },
  responses: { 204: { description: "Turned down" }, ...problems(400, 403, 404) },
});

export const changeRole = route.authed({
  method: "patch",
  path: "/api/groups/{id}/members/{userId}",
  object: "group",
  summary: "Give a member a role (the group's admins)",
  description:
    "`member`, `moderator` (approves requests to join, deletes group posts) or `admin` (also edits the group and " +
    "gives roles). An admin may step down, but the last admin may not (409 `last_admin`). Not an active member: 404; " +
    `others are a 403 \`not_group_admin\`. ${notVisible}`,
  request: { params: MemberParams, body: jsonBody(RoleBody) },
  responses: { 200: jsonContent(GroupMemberSchema, "The member with their role"), ...problems(400, 403, 404, 409, 415) },
});
