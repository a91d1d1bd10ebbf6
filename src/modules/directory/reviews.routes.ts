import { IdParam, jsonBody, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { CreateReviewBody, itemParams, UpdateReviewBody } from "./directory.input";
import { DirectoryReviewSchema } from "./reviews.service";

const route = moduleRoutes("Directory reviews");

const who = {
  teacher:
    "Only the teacher's approved students and dancers who attended (checked in, or going) a past event the teacher " +
    "organized or co-organized; never the teacher themselves (403 `not_eligible`).",
  venue: "Only dancers who attended (checked in, or going) a past event at the venue; not its creator (403 `not_eligible`).",
} as const;

const ReviewParams = itemParams("reviewId");
const authorOnly = "Its author only: 403 `not_review_author` for anyone else who can see it, 404 for whoever cannot.";

/** The four review routes of a teacher (`/api/teachers/{id}/reviews`) or a venue (`/api/venues/{id}/reviews`). */
function reviewRoutes<const K extends "teacher" | "venue">(kind: K) {
  const base = `/api/${kind}s/{id}/reviews` as const;
  const notVisible = `A ${kind} the caller may not see is a 404.`;
  return {
    list: route.viewer({
      method: "get",
      path: base,
      object: kind,
      summary: `A ${kind}'s reviews, newest first`,
      description: `By cursor. Reviews by suspended or closed accounts, or by dancers blocked either way, are not there. ${notVisible}`,
      request: { params: IdParam, query: PageQuery },
      responses: { 200: jsonContent(pageSchema(DirectoryReviewSchema), "A page of reviews"), ...problems(400, 404) },
    }),
    create: route.authed({
      method: "post",
      path: base,
      object: kind,
      summary: `Review a ${kind}`,
      description:
        `A rating of 1 to 5 and an optional comment. ${who[kind]} One each: a second is 409 \`already_reviewed\` (edit ` +
        `the first with PATCH instead). The ${kind}'s rating moves in the same statement, and its ` +
        `${kind === "teacher" ? "teacher" : "creator"} is notified (\`${kind}_review\`). ${notVisible}`,
      request: { params: IdParam, body: jsonBody(CreateReviewBody) },
      responses: { 201: jsonContent(DirectoryReviewSchema, "The review"), ...problems(400, 403, 404, 409) },
    }),
    update: route.authed({
      method: "patch",
      path: `${base}/{reviewId}`,
      object: `${kind}_review`,
      summary: "Edit your review",
      description: `Change the rating, the comment or both (an empty comment removes it); the rating moves with it. ${authorOnly}`,
      request: { params: ReviewParams, body: jsonBody(UpdateReviewBody) },
      responses: { 200: jsonContent(DirectoryReviewSchema, "The edited review"), ...problems(400, 403, 404) },
    }),
    remove: route.authed({
      method: "delete",
      path: `${base}/{reviewId}`,
      object: `${kind}_review`,
      summary: "Delete your review",
      description: `The rating drops it in the same statement; afterwards the author may review again. ${authorOnly}`,
      request: { params: ReviewParams },
      responses: { 204: { description: "Deleted" }, ...problems(400, 403, 404) },
    }),
  };
}

export const teacherReviews = reviewRoutes("teacher");
export const venueReviews = reviewRoutes("venue");
