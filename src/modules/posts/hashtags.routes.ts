import { jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { TagParam, TrendingHashtagSchema } from "./hashtags.schemas";
import { PostSchema } from "./posts.schemas";

const route = moduleRoutes("Posts");

export const hashtagPosts = route.viewer({
  method: "get",
  path: "/api/hashtags/{tag}/posts",
  object: "hashtag",
  summary: "The posts carrying a hashtag, newest first",
  description:
    "`tag` with or without `#`, any letter case (`%23Milonga`, `milonga`): letters, digits and `_`, " +
    "1-64 of them with at least one letter, else 400. Only posts the viewer may see are listed " +
    "(visibility, blocks either way, hidden posts); anonymous callers see public posts.",
  request: { params: TagParam, query: PageQuery },
  responses: { 200: jsonContent(pageSchema(PostSchema), "A page of posts"), ...problems(400) },
});

export const trendingHashtags = route.viewer({
  method: "get",
  path: "/api/hashtags/trending",
  summary: "Trending hashtags, highest score first",
  description:
    "Recomputed every 10 minutes from the public posts of the last 48 hours: per tag, the posts " +
    "carrying it and their engagement; the score sums (1 + likes + 2 x comments + 3 x shares) over " +
    "those posts, each halved for every 12 hours of its age. The top 500 are kept.",
  request: { query: PageQuery },
  responses: { 200: jsonContent(pageSchema(TrendingHashtagSchema), "A page of trending hashtags"), ...problems(400) },
});
