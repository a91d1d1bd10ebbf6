import { jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { SearchQuery, SearchReplySchema } from "./search.schemas";

const route = moduleRoutes("Search");

export const search = route.viewer({
  method: "get",
  path: "/api/search",
  summary: "Search posts or events (full text), dancers (name and username) or groups (name), ranked",
  description:
    "`q`: 1-200 characters on one line. `type=posts` (default): words in any language, accents and " +
    "case ignored, with web-search syntax (`\"a phrase\"`, `-word`, `or`); only posts the viewer may " +
    "see. `type=users`: names and usernames resembling `q` (trigram similarity), without suspended " +
    "or deactivated accounts nor anyone on either side of a block. `type=events`: as posts, over the " +
    "title, venue, city and description (the title weighs most), past and upcoming, only events the viewer " +
    "may see, each as an event card. `type=groups`: groups and city " +
    "communities whose name resembles `q` (trigram similarity; hidden ones only for their admins). One kind per request: the reply " +
    "says which (`type`) and pages by `?cursor=` in rank order (best first, equal ranks newest " +
    "first). A query of punctuation only finds nothing.",
  request: { query: SearchQuery },
  responses: { 200: jsonContent(SearchReplySchema, "A page of results"), ...problems(400) },
});
