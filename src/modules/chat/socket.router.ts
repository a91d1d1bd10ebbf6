import { createRouter } from "../../lib/openapi";

/** The room's socket and REST send, through its ChatRoom object (socket.*). */
export const socketRouter = createRouter();
