import { z } from "@hono/zod-openapi";
import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { keysetPage, type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import type { Conversation, DomainConversation, Message } from "./assistant.schemas";
import type { ChatStore } from "./assistant.store";

type ConversationRow = {
  id: number;
  title: string | null;
  last_message_at: string | Date;
  created_at: string | Date | null;
  domain_id?: number;
  domain_name?: string;
  domain_agent_id?: string;
  key?: string;
};

/** The columns a conversation is shown with (`c` its alias), with its domain for a Life CEO one. */
function conversationColumns(store: ChatStore): SQL {
  const domain = store.hasDomain
    ? sql`, c.domain_id, (SELECT d.name FROM life_ceo_domains d WHERE d.id = c.domain_id) AS domain_name,
        (SELECT d.agent_id FROM life_ceo_domains d WHERE d.id = c.domain_id) AS domain_agent_id`
    : sql``;
  return sql`c.id, c.title, c.last_message_at, c.created_at ${domain}`;
}

export function toConversation(row: ConversationRow): Conversation | DomainConversation {
  const base = {
    id: Number(row.id),
    title: row.title,
    lastMessageAt: isoUtc(row.last_message_at),
    createdAt: isoUtc(row.created_at ?? row.last_message_at),
  };
  if (row.domain_id === undefined) return base;
  return { ...base, domain: { id: Number(row.domain_id), name: String(row.domain_name), agentId: String(row.domain_agent_id) } };
}

const what = (store: ChatStore) => (store.name === "mr_blue" ? "conversation" : "domain conversation");

/**
 * Starts a conversation for the actor. For a Life CEO one the domain must exist: the insert
 * selects from it, so an unknown domain inserts nothing and is a 404.
 */
export async function createConversation(
  { db, actor }: ActorCtx,
  store: ChatStore,
  input: { title?: string; domainId?: number },
): Promise<Conversation | DomainConversation> {
  const insert = store.hasDomain
    ? sql`INSERT INTO ${store.conversations} AS c (user_id, domain_id, title)
        SELECT ${actor.id}, d.id, ${input.title ?? null} FROM life_ceo_domains d WHERE d.id = ${input.domainId ?? 0}`
    : sql`INSERT INTO ${store.conversations} AS c (user_id, title) VALUES (${actor.id}, ${input.title ?? null})`;
  const { rows } = await db.execute<ConversationRow>(sql`${insert} RETURNING ${conversationColumns(store)}`);
  if (!rows[0]) throw notFound("domain");
  return toConversation(rows[0]);
}

/** One of the actor's conversations; another dancer's is a 404 as if it did not exist. */
export async function getConversation({ db, actor }: ActorCtx, store: ChatStore, id: number) {
  const { rows } = await db.execute<ConversationRow>(sql`
    SELECT ${conversationColumns(store)} FROM ${store.conversations} c WHERE c.id = ${id} AND c.user_id = ${actor.id}`);
  if (!rows[0]) throw notFound(what(store));
  return toConversation(rows[0]);
}

/** The actor's conversations, newest activity first (the (user_id, last_message_at, id) index). */
export async function listConversations({ db, actor }: ActorCtx, store: ChatStore, page: PageRequest): Promise<Page<Conversation | DomainConversation>> {
  return keysetPage(
    page,
    { time: sql`c.last_message_at`, id: sql`c.id` },
    async (keyset) =>
      (
        await db.execute<ConversationRow>(sql`
          SELECT ${conversationColumns(store)}, c.last_message_at::text AS key FROM ${store.conversations} c
          WHERE c.user_id = ${actor.id} AND ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit}`)
      ).rows,
    { item: toConversation, key: (row) => [String(row.key), Number(row.id)] },
  );
}

/** Renames one of the actor's conversations (one guarded UPDATE: another's is a 404). */
export async function renameConversation({ db, actor }: ActorCtx, store: ChatStore, id: number, title: string) {
  const { rows } = await db.execute<ConversationRow>(sql`
    UPDATE ${store.conversations} c SET title = ${title} WHERE c.id = ${id} AND c.user_id = ${actor.id}
    RETURNING ${conversationColumns(store)}`);
  if (!rows[0]) throw notFound(what(store));
  return toConversation(rows[0]);
}

/** Deletes one of the actor's conversations and its messages (the foreign key cascades). */
export async function deleteConversation({ db, actor }: ActorCtx, store: ChatStore, id: number): Promise<void> {
  const { rows } = await db.execute<{ id: number }>(sql`
    DELETE FROM ${store.conversations} c WHERE c.id = ${id} AND c.user_id = ${actor.id} RETURNING c.id`);
  if (!rows[0]) throw notFound(what(store));
}

type MessageRow = { id: number; role: "user" | "assistant"; content: string; metadata: Record<string, unknown> | null; created_at: string | Date; found?: boolean };

export function toMessage(row: MessageRow): Message {
  return { id: Number(row.id), role: row.role, content: row.content, metadata: row.metadata ?? null, createdAt: isoUtc(row.created_at) };
}

const MessageCursor = z.tuple([z.number().int().min(1).max(2_147_483_647)]);

/**
 * A conversation's messages, newest first (by id: the order they were written), the dancer's
 * and the assistant's only. One statement: the page is read only when the conversation is the
 * actor's, and an empty page of someone else's conversation is told apart from an empty one of
 * theirs by the `found` row the statement always returns.
 */
export async function listMessages({ db, actor }: ActorCtx, store: ChatStore, id: number, page: PageRequest): Promise<Page<Message>> {
  let found = false;
  const result = await sortedPage(
    page,
    { by: [sql`m.id`], direction: "desc", cursor: MessageCursor },
    async (keyset) => {
      const { rows } = await db.execute<MessageRow>(sql`
        WITH mine AS (SELECT c.id FROM ${store.conversations} c WHERE c.id = ${id} AND c.user_id = ${actor.id}),
        page AS (
          SELECT m.id, m.role, m.content, m.metadata, m.created_at FROM ${store.messages} m
          WHERE m.conversation_id IN (SELECT id FROM mine) AND m.role IN ('user', 'assistant') AND ${keyset.after}
          ORDER BY ${keyset.order} LIMIT ${keyset.limit}
        )
        SELECT true AS found, p.* FROM mine LEFT JOIN page p ON true ORDER BY p.id DESC`);
      found = rows.length > 0;
      return rows.filter((row) => row.id !== null);
    },
    { item: toMessage, key: (row) => [Number(row.id)] as [number] },
  );
  if (!found) throw notFound(what(store));
  return result;
}
