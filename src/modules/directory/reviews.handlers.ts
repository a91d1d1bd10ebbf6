import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import type * as routes from "./reviews.routes";
import * as reviews from "./reviews.service";

type Routes = typeof routes.teacherReviews;

/** The handlers of one kind's review routes (the teacher's and the venue's share their shapes). */
function reviewHandlers(kind: typeof reviews.TEACHER_REVIEWS) {
  const list: Handler<Routes["list"]> = async (c) => {
    return c.json(await reviews.listReviews(c.var.ctx, kind, { subjectId: c.req.valid("param").id, ...c.req.valid("query") }), 200);
  };
  const create: Handler<Routes["create"]> = async (c) => {
    return c.json(await reviews.createReview(actorCtx(c), kind, { subjectId: c.req.valid("param").id, ...c.req.valid("json") }), 201);
  };
  const update: Handler<Routes["update"]> = async (c) => {
    const { id, reviewId } = c.req.valid("param");
    return c.json(await reviews.updateReview(actorCtx(c), kind, { subjectId: id, reviewId, ...c.req.valid("json") }), 200);
  };
  const remove: Handler<Routes["remove"]> = async (c) => {
    const { id, reviewId } = c.req.valid("param");
    await reviews.deleteReview(actorCtx(c), kind, { subjectId: id, reviewId });
    return c.body(null, 204);
  };
  return { list, create, update, remove };
}

export const teacherReviews = reviewHandlers(reviews.TEACHER_REVIEWS);
export const venueReviews = reviewHandlers(reviews.VENUE_REVIEWS);
