import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/pagination";
import { INT4_MAX, singleLine } from "../../lib/text";
import { EventSchema } from "../events";
import { GroupSchema } from "../groups";
import { PostSchema } from "../posts";
import { UserCardSchema } from "../users";

export const SEARCH_TYPES = ["posts", "users", "events", "groups"] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

export const SearchQuery = PageQuery.extend({
  q: singleLine(200, 1).openapi({ description: "What to look for: words (posts, events) or a name or username (users)", example: "milonga" }),
  type: z
    .enum(SEARCH_TYPES)
    .default("posts")
    .openapi({
      description:
        "What to search, one kind per request so that each has its own ranking and cursor: `posts` " +
        "(the default), `users`, `events` or `groups` (names, trigram similarity).",
    }),
});

export const SearchReplySchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("posts"), items: z.array(PostSchema), nextCursor: z.string().nullable() }),
    z.object({ type: z.literal("users"), items: z.array(UserCardSchema), nextCursor: z.string().nullable() }),
    z.object({ type: z.literal("groups"), items: z.array(GroupSchema), nextCursor: z.string().nullable() }),
    z.object({ type: z.literal("events"), items: z.array(EventSchema), nextCursor: z.string().nullable() }),
  ])
  .openapi("SearchResults");

export type SearchReply = z.infer<typeof SearchReplySchema>;

/** A rank as the search rounds it (numeric text, 6 decimals): exact in a cursor, unlike a float. */
const Rank = z.string().regex(/^[0-9]{1,6}(\.[0-9]{1,6})?$/);

/** The keyset of both rankings: the rounded rank and the id that breaks ties. */
export const RankCursor = z.tuple([Rank, z.number().int().min(1).max(INT4_MAX)]);
