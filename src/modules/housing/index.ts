// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions come first, so that modules importing each other find them evaluated before the
// router pulls in handlers.
export { homeFreeDuring, homeVisibleTo, mayRequestStay } from "./housing.conditions";

import { createRouter } from "../../lib/openapi";

/** Housing: dancers hosting dancers (listings, bookings, reviews). */
export const housingRouter = createRouter();
