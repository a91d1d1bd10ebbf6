import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./bookings.routes";
import * as bookings from "./bookings.service";
import * as reviews from "./reviews.service";

export const request: Handler<typeof routes.request> = async (c) => {
  return c.json(await bookings.requestBooking(actorCtx(c), { listingId: c.req.valid("param").id, ...c.req.valid("json") }), 201);
};

export const listingBookings: Handler<typeof routes.listingBookings> = async (c) => {
  return c.json(await bookings.listListingBookings(actorCtx(c), { listingId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};

export const myBookings: Handler<typeof routes.myBookings> = async (c) => {
  return c.json(await bookings.listMyBookings(actorCtx(c), c.req.valid("query")), 200);
};

export const get: Handler<typeof routes.get> = async (c) => {
  return c.json(await bookings.getBooking(actorCtx(c), { bookingId: c.req.valid("param").id }), 200);
};

export const approve: Handler<typeof routes.approve> = async (c) => {
  const { message } = c.req.valid("json");
  return c.json(await bookings.approveBooking(actorCtx(c), { bookingId: c.req.valid("param").id, message }), 200);
};

export const reject: Handler<typeof routes.reject> = async (c) => {
  const { message } = c.req.valid("json");
  return c.json(await bookings.rejectBooking(actorCtx(c), { bookingId: c.req.valid("param").id, message }), 200);
};

export const cancel: Handler<typeof routes.cancel> = async (c) => {
  return c.json(await bookings.cancelBooking(actorCtx(c), { bookingId: c.req.valid("param").id }), 200);
};

export const review: Handler<typeof routes.review> = async (c) => {
  return c.json(await reviews.reviewStay(actorCtx(c), { bookingId: c.req.valid("param").id, ...c.req.valid("json") }), 201);
};

export const listingReviews: Handler<typeof routes.listingReviews> = async (c) => {
  return c.json(await reviews.listListingReviews(c.var.ctx, { listingId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};

export const userReviews: Handler<typeof routes.userReviews> = async (c) => {
  return c.json(await reviews.listUserReviews(c.var.ctx, { userId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
};
