// The module's public surface: other modules import only from here (a lint rule says so).
// Conditions come first, so that modules importing each other find them evaluated before the
// router pulls in handlers.
export { placeVisibleTo, teacherThere, teacherVisibleTo } from "./directory.conditions";

import { createRouter } from "../../lib/openapi";
import * as reviewHandlers from "./reviews.handlers";
import * as reviewRoutes from "./reviews.routes";
import * as schoolHandlers from "./schools.handlers";
import * as schoolRoutes from "./schools.routes";
import * as studentHandlers from "./students.handlers";
import * as studentRoutes from "./students.routes";
import * as handlers from "./teachers.handlers";
import * as routes from "./teachers.routes";
import * as venueHandlers from "./venues.handlers";
import * as venueRoutes from "./venues.routes";

const { teacherReviews, venueReviews } = reviewRoutes;

/** The tango directory: teachers (and where they travel), their students, venues and schools, and their reviews. */
export const directoryRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.search, handlers.search)
  .openapi(routes.get, handlers.get)
  .openapi(routes.ofUser, handlers.ofUser)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.listLocations, handlers.listLocations)
  .openapi(routes.addLocation, handlers.addLocation)
  .openapi(routes.updateLocation, handlers.updateLocation)
  .openapi(routes.removeLocation, handlers.removeLocation)
  .openapi(studentRoutes.mine, studentHandlers.mine)
  .openapi(studentRoutes.request, studentHandlers.request)
  .openapi(studentRoutes.list, studentHandlers.list)
  .openapi(studentRoutes.approve, studentHandlers.approve)
  .openapi(studentRoutes.reject, studentHandlers.reject)
  .openapi(studentRoutes.end, studentHandlers.end)
  .openapi(venueRoutes.create, venueHandlers.create)
  .openapi(venueRoutes.search, venueHandlers.search)
  .openapi(venueRoutes.get, venueHandlers.get)
  .openapi(venueRoutes.update, venueHandlers.update)
  .openapi(venueRoutes.remove, venueHandlers.remove)
  .openapi(venueRoutes.events, venueHandlers.events)
  .openapi(schoolRoutes.create, schoolHandlers.create)
  .openapi(schoolRoutes.search, schoolHandlers.search)
  .openapi(schoolRoutes.get, schoolHandlers.get)
  .openapi(schoolRoutes.update, schoolHandlers.update)
  .openapi(schoolRoutes.remove, schoolHandlers.remove)
  .openapi(schoolRoutes.addTeacher, schoolHandlers.addTeacher)
  .openapi(schoolRoutes.removeTeacher, schoolHandlers.removeTeacher)
  .openapi(teacherReviews.list, reviewHandlers.teacherReviews.list)
  .openapi(teacherReviews.create, reviewHandlers.teacherReviews.create)
  .openapi(teacherReviews.update, reviewHandlers.teacherReviews.update)
  .openapi(teacherReviews.remove, reviewHandlers.teacherReviews.remove)
  .openapi(venueReviews.list, reviewHandlers.venueReviews.list)
  .openapi(venueReviews.create, reviewHandlers.venueReviews.create)
  .openapi(venueReviews.update, reviewHandlers.venueReviews.update)
  .openapi(venueReviews.remove, reviewHandlers.venueReviews.remove);
