import { z } from "@hono/zod-openapi";
import { IdParam, jsonContent, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { INT4_MAX, singleLine } from "../../lib/text";
import { ChatMessageSchema } from "./chat.protocol";
import { notMember } from "./rooms.routes";

const route = moduleRoutes("Chat");

export const HistoryQuery = PageQuery.extend({
  afterId: z
    .string()
    .regex(/^(0|[1-9][0-9]{0,9})$/, "A message id in plain digits")
    .transform(Number)
    .pipe(z.number().int().min(0).max(INT4_MAX))
    .optional()
    .openapi({ type: "integer", description: "Only the messages after this one, oldest first (resume and catch-up)", example: 120 }),
});

export const SearchQuery = PageQuery.extend({
  q: singleLine(200, 1).openapi({ description: "Words to find (web-search syntax: `\"exact words\"`, `-not`, `or`), accents ignored", example: "milonga" }),
});

export const messages = route.authed({
  method: "get",
  path: "/api/chat/rooms/{id}/messages",
  object: "chat_room",
  summary: "A room's history, newest first",
  description:
    "From Postgres, the record (messages reach it from the room's object within moments). Newest first by cursor; " +
    "with `afterId`, the messages after that one oldest first, and a cursor that goes on oldest first (a cursor " +
    "carries its direction and wins over `afterId`). A deleted message keeps its place with empty text; reactions " +
    "come per emoji with their count and the first 20 dancers. Messages by dancers blocked either way are shown " +
    `(the history is the room's), with their sender's id only. ${notMember}`,
  request: { params: IdParam, query: HistoryQuery },
  responses: { 200: jsonContent(pageSchema(ChatMessageSchema), "A page of messages"), ...problems(400, 404) },
});

export const search = route.authed({
  method: "get",
  path: "/api/chat/rooms/{id}/messages/search",
  object: "chat_room",
  summary: "Search a room's messages, newest first",
  description: `Full text, accents and case ignored; deleted messages never match; \`q\` 1-200 characters on one line. ${notMember}`,
  request: { params: IdParam, query: SearchQuery },
  responses: { 200: jsonContent(pageSchema(ChatMessageSchema), "A page of matching messages"), ...problems(400, 404) },
});
