import { createRouter } from "../../lib/openapi";
import * as handlers from "./socket.handlers";
import * as routes from "./socket.routes";

const router = createRouter();
// Before the route's own auth check: a socket's token may come in `?token=` or the subprotocols.
router.use(routes.connect.getRoutingPath(), handlers.socketToken);

/** The room's socket and REST send, through its ChatRoom object (socket.*). */
export const socketRouter = router.openapi(routes.connect, handlers.connect).openapi(routes.send, handlers.send);
