import { IdParam, jsonBody, jsonContent, optionalJsonBody, problems } from "../../lib/openapi";
import { PageQuery, pageSchema } from "../../lib/pagination";
import { moduleRoutes } from "../../lib/routes";
import { CreateConversationBody, CreateDomainConversationBody, RenameConversationBody, SendMessageBody } from "./assistant.input";
import { ConversationSchema, DomainConversationSchema, MessageSchema, UsageSchema } from "./assistant.schemas";

const route = moduleRoutes("Assistants");

const ownerOnly = "Owner only: another dancer's conversation is a 404, as if it did not exist.";

const streamed =
  "Answers `text/event-stream`: `message` (the stored question), `delta` {text} pieces of the reply, `tool` {name, status: " +
  "running|done, count} around each tool call, then `done` {message: the stored reply with its metadata (provider, model, " +
  "usage, toolCalls, finishReason, durationMs), usage} or `error` {problem} (a reply cut by a provider failure is stored with " +
  "`metadata.error` when it had text, and sent as `message`). Checked before anything is stored: the rate limit (429), the " +
  "conversation (404), a configured provider (503 `ai_unavailable`), the daily token quota (429 `ai_quota_exceeded` with " +
  "`Retry-After` and `resetsAt`). A provider failing before its first event is a problem+json answer (502 `ai_failed`, 503 " +
  "`ai_busy`, 504 `ai_timeout`, 422 `ai_rejected`): the question stays stored, the quota is given back.";

const sseResponse = { content: { "text/event-stream": { schema: { type: "string" as const } } }, description: "The streamed reply" };

function conversationRoutes(prefix: string, schema: typeof ConversationSchema | typeof DomainConversationSchema, object: string, createBody: typeof CreateConversationBody | typeof CreateDomainConversationBody, what: string) {
  return {
    create: route.authed({
      method: "post",
      path: `${prefix}/conversations`,
      summary: `Start a ${what}`,
      description: object === "life_ceo_conversation" ? "An unknown `domainId` is a 404." : "`title` is optional: the first question names it otherwise.",
      request: { body: object === "life_ceo_conversation" ? jsonBody(createBody) : optionalJsonBody(createBody) },
      responses: { 201: jsonContent(schema, "The conversation"), ...problems(400, 404) },
    }),
    list: route.authed({
      method: "get",
      path: `${prefix}/conversations`,
      summary: `The caller's ${what}s, newest activity first`,
      request: { query: PageQuery },
      responses: { 200: jsonContent(pageSchema(schema), "A page of conversations"), ...problems(400) },
    }),
    get: route.authed({
      method: "get",
      path: `${prefix}/conversations/{id}`,
      object,
      summary: `One ${what}`,
      description: ownerOnly,
      request: { params: IdParam },
      responses: { 200: jsonContent(schema, "The conversation"), ...problems(400, 404) },
    }),
    rename: route.authed({
      method: "patch",
      path: `${prefix}/conversations/{id}`,
      object,
      summary: `Rename a ${what}`,
      description: ownerOnly,
      request: { params: IdParam, body: jsonBody(RenameConversationBody) },
      responses: { 200: jsonContent(schema, "The conversation"), ...problems(400, 404) },
    }),
    remove: route.authed({
      method: "delete",
      path: `${prefix}/conversations/{id}`,
      object,
      summary: `Delete a ${what} and its messages`,
      description: `${ownerOnly} A reply still streaming into it is then not stored.`,
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" }, ...problems(400, 404) },
    }),
    messages: route.authed({
      method: "get",
      path: `${prefix}/conversations/{id}/messages`,
      object,
      summary: `The messages of a ${what}, newest first`,
      description: `The dancer's questions and the replies (tool results are not listed; a reply's metadata names the tools it used). ${ownerOnly}`,
      request: { params: IdParam, query: PageQuery },
      responses: { 200: jsonContent(pageSchema(MessageSchema), "A page of messages"), ...problems(400, 404) },
    }),
    send: route.authed({
      method: "post",
      path: `${prefix}/conversations/{id}/messages`,
      object,
      summary: `Ask in a ${what}: the reply is streamed (SSE)`,
      description: `${streamed} ${ownerOnly}`,
      request: { params: IdParam, body: jsonBody(SendMessageBody) },
      responses: { 200: sseResponse, ...problems(400, 404, 422, 429, 502, 503, 504) },
    }),
  };
}

export const mrBlue = conversationRoutes("/api/ai", ConversationSchema, "mr_blue_conversation", CreateConversationBody, "Mr. Blue conversation");
export const lifeCeo = conversationRoutes("/api/life-ceo", DomainConversationSchema, "life_ceo_conversation", CreateDomainConversationBody, "Life CEO domain conversation");

export const usage = route.authed({
  method: "get",
  path: "/api/ai/usage",
  summary: "The caller's assistant tokens today, the daily quota and when it resets",
  description: "Every assistant counts: Mr. Blue, the domain conversations and recommendations. Quotas by role level: free < Basic < Premium and above.",
  responses: { 200: jsonContent(UsageSchema, "Today's use") },
});
