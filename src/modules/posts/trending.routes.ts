import { jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { TrendingPostSchema } from "./trending.schemas";

const route = moduleRoutes("Posts");

export const trendingPosts = route.viewer({
  method: "get",
  path: "/api/feed/trending",
  summary: "Trending posts of the last 48 hours, by viral score",
  description:
    "Highest viral score first (recomputed every 10 minutes; the formula is in the README), each post " +
    "card with its `viral` score. Only posts the viewer may see are listed (visibility, blocks " +
    "either way, hidden posts); anonymous callers see public posts.",
  request: { query: PageQuery },
  responses: { 200: jsonContent(pageSchema(TrendingPostSchema), "A page of trending posts"), ...problems(400) },
});
