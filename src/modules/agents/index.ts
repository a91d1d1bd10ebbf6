// The module's public surface: other modules import only from here (a lint rule says so).

import { createRouter } from "../../lib/openapi";
import * as agents from "./agents.handlers";
import * as agentRoutes from "./agents.routes";
import * as messages from "./messages.handlers";
import * as messageRoutes from "./messages.routes";
import * as tasks from "./tasks.handlers";
import * as taskRoutes from "./tasks.routes";

/** The ESA agent registry (CRUD, hierarchy, life cycle), agent tasks, messages between agents and validation checks. */
export const agentsRouter = createRouter()
  // The tree before `{id}`, which would otherwise take "tree" for an id.
  .openapi(agentRoutes.tree, agents.tree)
  .openapi(agentRoutes.list, agents.list)
  .openapi(agentRoutes.create, agents.create)
  .openapi(agentRoutes.get, agents.get)
  .openapi(agentRoutes.update, agents.update)
  .openapi(agentRoutes.remove, agents.remove)
  .openapi(agentRoutes.status, agents.status)
  .openapi(taskRoutes.assign, tasks.assign)
  .openapi(taskRoutes.list, tasks.list)
  .openapi(taskRoutes.get, tasks.get)
  .openapi(taskRoutes.start, tasks.start)
  .openapi(taskRoutes.complete, tasks.complete)
  .openapi(taskRoutes.fail, tasks.fail)
  .openapi(messageRoutes.send, messages.send)
  .openapi(messageRoutes.list, messages.list)
  .openapi(messageRoutes.thread, messages.thread)
  .openapi(messageRoutes.recordCheck, messages.recordCheck)
  .openapi(messageRoutes.listChecks, messages.listChecks);
