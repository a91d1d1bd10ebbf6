// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions come first, so that modules importing each other find them evaluated before the
// router pulls in handlers.
export { homeFreeDuring, homeVisibleTo, mayRequestStay } from "./housing.conditions";
/** The listing card every read path shows (the trip planner's free listings too). */
export { listingColumns } from "./housing.cards";
export { ListingSchema, toListing, type Listing, type ListingRow } from "./housing.schemas";
/** The completion job's verb (src/jobs/housing-stays.ts). */
export { COMPLETION_CHUNK, completeDueStays } from "./bookings.service";

import { createRouter } from "../../lib/openapi";
import * as bookingHandlers from "./bookings.handlers";
import * as bookingRoutes from "./bookings.routes";
import * as handlers from "./housing.handlers";
import * as routes from "./housing.routes";

/** Housing: dancers hosting dancers (listings, calendars, bookings, reviews). */
export const housingRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.search, handlers.searchListings)
  .openapi(routes.myListings, handlers.myListings)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.availability, handlers.availability)
  .openapi(routes.blockDates, handlers.blockDates)
  .openapi(routes.listBlockedDates, handlers.listBlockedDates)
  .openapi(routes.unblockDates, handlers.unblockDates)
  .openapi(bookingRoutes.request, bookingHandlers.request)
  .openapi(bookingRoutes.listingBookings, bookingHandlers.listingBookings)
  .openapi(bookingRoutes.myBookings, bookingHandlers.myBookings)
  .openapi(bookingRoutes.get, bookingHandlers.get)
  .openapi(bookingRoutes.approve, bookingHandlers.approve)
  .openapi(bookingRoutes.reject, bookingHandlers.reject)
  .openapi(bookingRoutes.cancel, bookingHandlers.cancel)
  .openapi(bookingRoutes.review, bookingHandlers.review)
  .openapi(bookingRoutes.listingReviews, bookingHandlers.listingReviews)
  .openapi(bookingRoutes.userReviews, bookingHandlers.userReviews);
