// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions come first, so that modules importing each other find them evaluated before the
// router pulls in handlers.
export { teacherThere, teacherVisibleTo } from "./directory.conditions";

import { createRouter } from "../../lib/openapi";

/** The tango directory: teachers, their students, venues and schools, and their reviews. */
export const directoryRouter = createRouter();
