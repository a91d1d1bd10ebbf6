import { createRouter } from "../../lib/openapi";

/** Rooms, members, history and search (rooms.*, members.*, history.*). */
export const roomsRouter = createRouter();
