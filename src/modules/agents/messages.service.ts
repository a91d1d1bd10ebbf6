import { sql } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import { agentCommunications, validationChecks } from "../../../drizzle/schema";
import type { ActorCtx, Ctx } from "../../lib/context";
import { mapRow, PG, pgError } from "../../lib/db";
import { badRequest, notFound } from "../../lib/errors";
import { keysetPage, type Page, type PageRequest, sortedPage } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { auditCte } from "../audit";
import { at, jsonb } from "./agents.columns";
import type { AgentMessage, RecordCheckInput, SendMessageInput, ValidationCheck } from "./messages.schemas";

function toMessage(raw: Record<string, unknown>): AgentMessage {
  const row = mapRow(agentCommunications, raw);
  return {
    id: row.id,
    threadId: row.threadId,
    fromAgentId: row.fromAgentId,
    toAgentId: row.toAgentId,
    messageType: row.messageType,
    subject: row.subject,
    body: row.body,
    sentBy: row.sentBy,
    readAt: isoUtc(row.readAt),
    createdAt: isoUtc(row.createdAt),
  };
}

function toCheck(raw: Record<string, unknown>): ValidationCheck {
  const row = mapRow(validationChecks, raw);
  return {
    id: row.id,
    agentId: row.agentId,
    checkName: row.checkName,
    result: row.result as ValidationCheck["result"],
    details: (row.details as Record<string, unknown> | null) ?? null,
    checkedBy: row.checkedBy,
    checkedAt: isoUtc(row.checkedAt),
  };
}

type SendOutcome = "ok" | "not_found" | "unknown_agent" | "unknown_thread";

const unknownThread = () => badRequest("unknown_thread", "threadId must be the first message of a thread.");
const unknownAgent = () => badRequest("unknown_agent", "toAgentId is not an agent.");

/**
 * Sends a message from an agent, audited in the same statement. A reply names its thread's
 * first message (a message that is not itself a reply): threads stay one level deep, so a
 * thread is read with one indexed lookup. A recipient or thread removed meanwhile is caught
 * by the foreign keys and refused the same way.
 */
export async function sendMessage({ db, actor, now }: ActorCtx, fromAgentId: number, input: SendMessageInput): Promise<AgentMessage> {
  const to = input.toAgentId ?? null;
  const thread = input.threadId ?? null;
  let rows: (Record<string, unknown> & { outcome: SendOutcome })[];
  try {
    ({ rows } = await db.execute<Record<string, unknown> & { outcome: SendOutcome }>(sql`
      WITH verdict AS (
        SELECT CASE
          WHEN NOT EXISTS (SELECT 1 FROM esa_agents WHERE id = ${fromAgentId}) THEN 'not_found'
          WHEN ${to}::int IS NOT NULL AND NOT EXISTS (SELECT 1 FROM esa_agents WHERE id = ${to}::int) THEN 'unknown_agent'
          WHEN ${thread}::int IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM agent_communications WHERE id = ${thread}::int AND thread_id IS NULL) THEN 'unknown_thread'
          ELSE 'ok' END AS outcome
      ),
      sent AS (
        INSERT INTO agent_communications (thread_id, from_agent_id, to_agent_id, message_type, subject, body, sent_by, created_at)
        SELECT ${thread}::int, ${fromAgentId}, ${to}::int, ${input.messageType}, ${input.subject ?? null}, ${input.body}, ${actor.id}, ${at(now)}
        FROM verdict WHERE outcome = 'ok'
        RETURNING *
      ),
      ${auditCte({ actorId: actor.id, action: "message.send", objectType: "agent_message", from: sql`sent`, objectId: sql`sent.id`, after: sql`to_jsonb(sent)` })}
      SELECT v.outcome, s.* FROM verdict v LEFT JOIN sent s ON true`));
  } catch (error) {
    const pg = pgError(error);
    if (pg?.code !== PG.foreignKeyViolation) throw error;
    if (pg.constraint?.includes("thread_id")) throw unknownThread();
    if (pg.constraint?.includes("to_agent_id")) throw unknownAgent();
    throw notFound("agent");
  }
  const row = rows[0]!;
  if (row.outcome === "not_found") throw notFound("agent");
  if (row.outcome === "unknown_agent") throw unknownAgent();
  if (row.outcome === "unknown_thread") throw unknownThread();
  return toMessage(row);
}

const IdCursor = z.tuple([z.number().int().min(1).max(2_147_483_647)]);

/** The messages an agent sent, received, or both, newest first (keyset over id); an unknown agent is a 404. */
export async function listMessages({ db }: Ctx, input: PageRequest & { agentId: number; box: "all" | "sent" | "received" }): Promise<Page<AgentMessage>> {
  const mine =
    input.box === "sent"
      ? sql`m.from_agent_id = a.id`
      : input.box === "received"
        ? sql`m.to_agent_id = a.id`
        : sql`(m.from_agent_id = a.id OR m.to_agent_id = a.id)`;
  let known = false;
  const page = await sortedPage(
    input,
    { by: [sql`m.id`], direction: "desc", cursor: IdCursor },
    async (keyset) => {
      const { rows } = await db.execute<Record<string, unknown>>(sql`
        SELECT m.* FROM esa_agents a
        LEFT JOIN LATERAL (
          SELECT m.* FROM agent_communications m WHERE ${mine} AND ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit}
        ) m ON true
        WHERE a.id = ${input.agentId}`);
      known = rows.length > 0;
      return rows.filter((row) => row.id !== null);
    },
    { item: toMessage, key: (row) => [Number(row.id)] },
  );
  if (!known) throw notFound("agent");
  return page;
}

/**
 * A thread in the order it was written: its first message, then the replies (keyset over id,
 * oldest first). Any message of the thread names it; an unknown message is a 404.
 */
export async function listThread({ db }: Ctx, input: PageRequest & { messageId: number }): Promise<Page<AgentMessage>> {
  let known = false;
  const page = await sortedPage(
    input,
    { by: [sql`m.id`], direction: "asc", cursor: IdCursor },
    async (keyset) => {
      const { rows } = await db.execute<Record<string, unknown>>(sql`
        SELECT m.* FROM (SELECT coalesce(thread_id, id) AS root FROM agent_communications WHERE id = ${input.messageId}) r
        LEFT JOIN LATERAL (
          SELECT m.* FROM agent_communications m
          WHERE (m.id = r.root OR m.thread_id = r.root) AND ${keyset.after}
          ORDER BY ${keyset.order} LIMIT ${keyset.limit}
        ) m ON true`);
      known = rows.length > 0;
      return rows.filter((row) => row.id !== null);
    },
    { item: toMessage, key: (row) => [Number(row.id)] },
  );
  if (!known) throw notFound("message");
  return page;
}

/** Records the result of a named check run against an agent, audited in the same statement. */
export async function recordCheck({ db, actor, now }: ActorCtx, agentId: number, input: RecordCheckInput): Promise<ValidationCheck> {
  try {
    const { rows } = await db.execute<Record<string, unknown>>(sql`
      WITH recorded AS (
        INSERT INTO validation_checks (agent_id, check_name, result, details, checked_by, checked_at)
        SELECT a.id, ${input.checkName}, ${input.result}, ${jsonb(input.details)}, ${actor.id}, ${at(now)}
        FROM esa_agents a WHERE a.id = ${agentId}
        RETURNING *
      ),
      ${auditCte({ actorId: actor.id, action: "check.record", objectType: "validation_check", from: sql`recorded`, objectId: sql`recorded.id`, after: sql`to_jsonb(recorded)` })}
      SELECT * FROM recorded`);
    if (!rows[0]) throw notFound("agent");
    return toCheck(rows[0]);
  } catch (error) {
    // The agent removed between the read and the insert.
    if (pgError(error)?.code === PG.foreignKeyViolation) throw notFound("agent");
    throw error;
  }
}

/** An agent's check results, newest first (keyset over `(checked_at, id)`), filtered by result or name. */
export async function listChecks(
  { db }: Ctx,
  input: PageRequest & { agentId: number; result?: string; checkName?: string },
): Promise<Page<ValidationCheck>> {
  let known = false;
  const page = await keysetPage(
    input,
    { time: sql`v.checked_at`, id: sql`v.id` },
    async (keyset) => {
      const { rows } = await db.execute<Record<string, unknown> & { checked_key: string }>(sql`
        SELECT v.*, v.checked_at::text AS checked_key FROM esa_agents a
        LEFT JOIN LATERAL (
          SELECT v.* FROM validation_checks v
          WHERE v.agent_id = a.id AND ${keyset.after}
            AND ${input.result ? sql`v.result = ${input.result}` : sql`true`}
            AND ${input.checkName ? sql`v.check_name = ${input.checkName}` : sql`true`}
          ORDER BY ${keyset.order} LIMIT ${keyset.limit}
        ) v ON true
        WHERE a.id = ${input.agentId}`);
      known = rows.length > 0;
      return rows.filter((row) => row.id !== null);
    },
    { item: toCheck, key: (row) => [row.checked_key, Number(row.id)] },
  );
  if (!known) throw notFound("agent");
  return page;
}
