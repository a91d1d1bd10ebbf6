// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions and verbs come first, so that modules importing each other find them evaluated
// before the router pulls in handlers.
export { groupContentVisibleTo, isGroupMember } from "./groups.conditions";

import { createRouter } from "../../lib/openapi";

/** Communities (one per city, joined automatically) and groups: members, roles, group posts. */
export const groupsRouter = createRouter();
