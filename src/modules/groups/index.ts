// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions and verbs come first, so that modules importing each other find them evaluated
// before the router pulls in handlers.
export {
  cityKey,
  groupAccessCte,
  groupContentVisibleTo,
  groupVisibleTo,
  hasGroupRole,
  isGroupMember,
  MANAGER_ROLES,
} from "./groups.conditions";
export { groupWriteError } from "./groups.policy";
export { groupCardColumns } from "./groups.cards";
export { GroupSchema, toGroup, type Group, type GroupCardRow } from "./groups.schemas";
export { cityCommunityMove } from "./city.statement";
export { removeGroups, setGroupsHidden } from "./groups.moderation";

import { createRouter } from "../../lib/openapi";
import * as groupPostHandlers from "./group-posts.handlers";
import * as groupPostRoutes from "./group-posts.routes";
import * as handlers from "./groups.handlers";
import * as routes from "./groups.routes";
import * as memberHandlers from "./members.handlers";
import * as memberRoutes from "./members.routes";

/** Communities (one per city, joined automatically) and groups: members, roles, group posts. */
export const groupsRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(memberRoutes.join, memberHandlers.join)
  .openapi(memberRoutes.leave, memberHandlers.leave)
  .openapi(memberRoutes.members, memberHandlers.list)
  .openapi(memberRoutes.requests, memberHandlers.requests)
  .openapi(memberRoutes.approve, memberHandlers.approve)
  .openapi(memberRoutes.reject, memberHandlers.reject)
  .openapi(memberRoutes.changeRole, memberHandlers.changeRole)
  .openapi(groupPostRoutes.create, groupPostHandlers.create)
  .openapi(groupPostRoutes.list, groupPostHandlers.list);
