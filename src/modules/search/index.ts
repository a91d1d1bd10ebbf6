// The module's public surface: other modules import only from here (a lint rule says so).
import { createRouter } from "../../lib/openapi";
import * as handlers from "./search.handlers";
import * as routes from "./search.routes";

/** Search: posts and events by full text, dancers and groups by name. */
export const searchRouter = createRouter().openapi(routes.search, handlers.search);
