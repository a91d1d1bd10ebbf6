import { createRouter } from "../../lib/openapi";
import * as historyHandlers from "./history.handlers";
import * as historyRoutes from "./history.routes";
import * as memberHandlers from "./members.handlers";
import * as memberRoutes from "./members.routes";
import * as handlers from "./rooms.handlers";
import * as routes from "./rooms.routes";

/** Rooms, members, history and search (rooms.*, members.*, history.*), all from Postgres. */
export const roomsRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.settings, handlers.settings)
  .openapi(memberRoutes.list, memberHandlers.list)
  .openapi(memberRoutes.add, memberHandlers.add)
  .openapi(memberRoutes.remove, memberHandlers.remove)
  .openapi(memberRoutes.changeRole, memberHandlers.changeRole)
  .openapi(memberRoutes.leave, memberHandlers.leave)
  .openapi(memberRoutes.join, memberHandlers.join)
  .openapi(historyRoutes.search, historyHandlers.search)
  .openapi(historyRoutes.messages, historyHandlers.messages);
