import { type SQL, sql } from "drizzle-orm";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { type AiMessage, type AiProvider, AiProviderError, type AiStreamEvent, type AiToolCall, type AiUsage, aiFailure, estimateTokens, requireAi } from "../../lib/ai";
import { type AiReservation, reserveAiTokens, settleAiTokens } from "../../lib/ai-quota";
import type { ActorCtx, AppEnv } from "../../lib/context";
import { AppError, notFound } from "../../lib/errors";
import { errorFields } from "../../lib/logger";
import { throttle } from "../../lib/rate-limit";
import { actorCtx } from "../../middleware/auth";
import type { ChatStore } from "./assistant.store";
import { runTool, type ToolSet } from "./assistant.tools";
import { toMessage } from "./conversations.service";

/** A reply's cap in tokens, per model call. */
export const MAX_REPLY_TOKENS = 800;
/** The earlier messages the prompt carries at most, in tokens (newest kept first). */
export const HISTORY_TOKEN_BUDGET = 3000;
/** Rows of history read to fill the budget (more would never fit). */
const HISTORY_ROWS = 40;
/** Model calls that may use tools; the call after the last of them answers without tools. */
export const MAX_TOOL_ROUNDS = 4;

/** What the turn's one read statement found: the conversation, the caller's own profile, the history, a domain's context. */
export interface Turn {
  conversation: { id: number; title: string | null; domain_id?: number };
  profile: Record<string, unknown>;
  /** Newest first. */
  history: Array<{ role: "user" | "assistant"; content: string }>;
  domain?: { name: string; description: string | null; persona: string | null };
  goals?: unknown[];
}

/** An assistant: where it keeps its conversations, how it speaks, what tools it may call. */
export interface Assistant {
  store: ChatStore;
  tools: ToolSet;
  systemPrompt(turn: Turn, today: string): string;
}

/**
 * The caller's own profile fields the prompt may hold: where they dance, how, which
 * languages. Never their email, phone or anything about another user.
 */
const PROFILE = sql`json_build_object('name', u.name, 'city', u.city, 'country', u.country, 'tangoRoles', u.tango_roles,
  'leaderLevel', u.leader_level, 'followerLevel', u.follower_level, 'languages', u.languages)`;

/** The dancer's goals in the conversation's domain with their open milestones (at most 20 goals, 10 milestones each). */
const GOALS = sql`(SELECT coalesce(json_agg(json_build_object('title', g.title, 'status', g.status, 'priority', g.priority,
    'progress', g.progress, 'targetDate', g.target_date::date::text,
    'openMilestones', (SELECT coalesce(json_agg(json_build_object('title', ms.title, 'dueDate', ms.due_date::text) ORDER BY ms.position, ms.id), '[]'::json)
      FROM (SELECT * FROM life_ceo_milestones m WHERE m.goal_id = g.id AND m.completed_at IS NULL ORDER BY m.position, m.id LIMIT 10) ms))
    ORDER BY g.status = 'active' DESC, g.id), '[]'::json)
  FROM (SELECT * FROM life_ceo_goals lg WHERE lg.user_id = c.user_id AND lg.domain_id = c.domain_id ORDER BY lg.status = 'active' DESC, lg.id LIMIT 20) g)`;

/** Everything a turn needs, in one statement; null when the conversation is not the actor's. */
async function loadTurn({ db, actor }: ActorCtx, store: ChatStore, conversationId: number): Promise<Turn | null> {
  const domain: SQL = store.hasDomain
    ? sql`, (SELECT json_build_object('name', d.name, 'description', d.description, 'persona', d.persona) FROM life_ceo_domains d WHERE d.id = c.domain_id) AS domain,
        ${GOALS} AS goals`
    : sql``;
  const { rows } = await db.execute<Turn & Record<string, unknown>>(sql`
    SELECT json_build_object('id', c.id, 'title', c.title ${store.hasDomain ? sql`, 'domain_id', c.domain_id` : sql``}) AS conversation,
      (SELECT ${PROFILE} FROM users u WHERE u.id = c.user_id) AS profile,
      (SELECT coalesce(json_agg(json_build_object('role', h.role, 'content', h.content) ORDER BY h.id DESC), '[]'::json)
        FROM (SELECT m.id, m.role, m.content FROM ${store.messages} m
              WHERE m.conversation_id = c.id AND m.role IN ('user', 'assistant') ORDER BY m.id DESC LIMIT ${HISTORY_ROWS}) h) AS history
      ${domain}
    FROM ${store.conversations} c WHERE c.id = ${conversationId} AND c.user_id = ${actor.id}`);
  return rows[0] ?? null;
}

/** The recent messages that fit the budget: newest first until it is spent, then in order. */
export function recentWithin(history: Turn["history"], budget: number): AiMessage[] {
  const kept: AiMessage[] = [];
  let spent = 0;
  for (const message of history) {
    spent += estimateTokens(message.content) + 4;
    if (spent > budget) break;
    kept.push({ role: message.role, content: message.content });
  }
  return kept.reverse();
}

/** A title from the first words of the first question (one line, at most 60 characters). */
export function titleFrom(content: string): string {
  const words = content.replace(/\s+/g, " ").trim().split(" ").slice(0, 8).join(" ");
  return words.length > 60 ? `${words.slice(0, 59).trimEnd()}…` : words;
}

/**
 * Stores the dancer's message, bumps the conversation's activity and gives it a title from
 * the question when it has none, in one statement that also checks the conversation is
 * still the actor's (null when it is gone).
 */
async function storeUserMessage({ db, actor }: ActorCtx, store: ChatStore, conversationId: number, content: string) {
  const { rows } = await db.execute<Parameters<typeof toMessage>[0]>(sql`
    WITH conv AS (
      UPDATE ${store.conversations} c SET last_message_at = now(), title = coalesce(c.title, ${titleFrom(content)})
      WHERE c.id = ${conversationId} AND c.user_id = ${actor.id} RETURNING c.id
    )
    INSERT INTO ${store.messages} (conversation_id, role, content) SELECT id, 'user', ${content} FROM conv
    RETURNING id, role, content, metadata, created_at`);
  return rows[0] ? toMessage(rows[0]) : null;
}

/** Stores the assistant's reply and bumps the activity, only while the conversation is still the actor's (null: deleted meanwhile). */
async function storeReply({ db, actor }: ActorCtx, store: ChatStore, conversationId: number, content: string, metadata: Record<string, unknown>) {
  const { rows } = await db.execute<Parameters<typeof toMessage>[0]>(sql`
    WITH conv AS (
      UPDATE ${store.conversations} c SET last_message_at = now() WHERE c.id = ${conversationId} AND c.user_id = ${actor.id} RETURNING c.id
    )
    INSERT INTO ${store.messages} (conversation_id, role, content, metadata) SELECT id, 'assistant', ${content}, ${JSON.stringify(metadata)}::jsonb FROM conv
    RETURNING id, role, content, metadata, created_at`);
  return rows[0] ? toMessage(rows[0]) : null;
}

/** A call's worst case for the quota: what it sends and the reply's cap. */
const worstCase = (messages: AiMessage[]) =>
  messages.reduce((sum, m) => sum + estimateTokens(m.content) + estimateTokens(m.toolCalls ? JSON.stringify(m.toolCalls) : "") + 4, 0) + MAX_REPLY_TOKENS;

/**
 * One model call with its deadline (AI_TIMEOUT_SECONDS) and the client's signal: aborting
 * either aborts the provider; a deadline passed reads as the provider's `timeout`.
 */
class ModelCall {
  readonly iterator: AsyncIterator<AiStreamEvent>;
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  private timedOut = false;

  constructor(ai: AiProvider, request: { messages: AiMessage[]; tools?: ToolSet }, clientSignal: AbortSignal, timeoutMs: number) {
    const abort = () => this.controller.abort();
    if (clientSignal.aborted) abort();
    else clientSignal.addEventListener("abort", abort, { once: true });
    this.timer = setTimeout(() => {
      this.timedOut = true;
      abort();
    }, timeoutMs);
    const tools = request.tools?.length ? request.tools.map((t) => t.spec) : undefined;
    const stream = ai.chat({ messages: request.messages, ...(tools ? { tools } : {}), maxTokens: MAX_REPLY_TOKENS, signal: this.controller.signal });
    this.iterator = stream[Symbol.asyncIterator]();
  }

  async next(): Promise<IteratorResult<AiStreamEvent>> {
    try {
      return await this.iterator.next();
    } catch (error) {
      if (this.timedOut) throw new AiProviderError("The model call passed its deadline.", "timeout");
      throw error;
    }
  }

  end(): void {
    clearTimeout(this.timer);
  }
}

/**
 * `POST .../conversations/:id/messages` for any assistant: checks (rate limit, the
 * conversation, a provider, the quota) before anything is stored, stores the dancer's message, then
 * streams the reply as server-sent events (`message`, `delta`, `tool`, `done` or `error`)
 * while it runs the tool loop, and stores the reply with its metadata. The model's first
 * event is awaited before the stream starts, so a provider that fails at once is a plain
 * problem+json answer (the dancer's message kept, the quota given back).
 */
export async function converse(c: Context<AppEnv>, assistant: Assistant, conversationId: number, content: string): Promise<Response> {
  const ctx = actorCtx(c);
  const { store } = assistant;
  await throttle(c.env.AI_LIMITER, `ai:user:${ctx.actor.id}`);
  // The conversation before the provider: another dancer's is a 404 whether or not a model is configured.
  const turn = await loadTurn(ctx, store, conversationId);
  if (!turn) throw notFound(store.name === "mr_blue" ? "conversation" : "domain conversation");
  const ai = requireAi(ctx.ai);

  const messages: AiMessage[] = [
    { role: "system", content: assistant.systemPrompt(turn, ctx.now.toISOString().slice(0, 10)) },
    ...recentWithin(turn.history, HISTORY_TOKEN_BUDGET),
    { role: "user", content },
  ];
  let reservation: AiReservation | null = await reserveAiTokens(ctx, ctx.actor.id, worstCase(messages));
  const settle = async (used: number) => {
    const held = reservation;
    reservation = null;
    if (held) await settleAiTokens(ctx, held, used);
  };

  const userMessage = await storeUserMessage(ctx, store, conversationId, content);
  if (!userMessage) {
    await settle(0);
    throw notFound(store.name === "mr_blue" ? "conversation" : "domain conversation");
  }

  const started = Date.now();
  const timeoutMs = ctx.config.AI_TIMEOUT_SECONDS * 1000;
  const client = new AbortController();
  const log = { conversationId, userId: ctx.actor.id, assistant: store.name };
  let round = 0;
  let call = new ModelCall(ai, { messages, tools: assistant.tools }, client.signal, timeoutMs);
  let first: IteratorResult<AiStreamEvent>;
  try {
    first = await call.next();
  } catch (error) {
    call.end();
    await settle(0);
    if (error instanceof AiProviderError) {
      ctx.logger.warn("assistant call failed", { ...log, kind: error.kind, phase: "first_event" });
      throw aiFailure(error);
    }
    throw error;
  }

  return streamSSE(c, async (stream) => {
    stream.onAbort(() => client.abort());
    const send = async (event: string, data: unknown) => {
      if (!stream.aborted && !stream.closed) await stream.writeSSE({ event, data: JSON.stringify(data) });
    };
    const usage: AiUsage = { inputTokens: 0, outputTokens: 0 };
    const toolCalls: Array<{ name: string; arguments: unknown; resultCount: number | null }> = [];
    let reply = "";
    let roundText = "";
    let model = ai.model;
    let finishReason: string = "stop";
    let pending: IteratorResult<AiStreamEvent> | null = first;
    /** Tokens of the calls already settled (each call's reservation is settled with its own use). */
    let settledSoFar = 0;

    const fail = async (problem: AppError, code: string) => {
      // The failed call's use is unknown: what it streamed is counted, the rest given back.
      await settle(estimateTokens(roundText));
      // The partial reply is kept, marked, so the dancer sees what was said before it broke.
      const stored = reply.trim()
        ? await storeReply(ctx, store, conversationId, reply, {
            provider: ai.name, model, usage, toolCalls, finishReason: "error", error: code, durationMs: Date.now() - started,
          }).catch(() => null)
        : null;
      await send("error", { problem: problem.toProblem(), ...(stored ? { message: stored } : {}) });
    };

    try {
      await send("message", { message: userMessage });
      for (;;) {
        let calls: AiToolCall[] = [];
        let done = false;
        roundText = "";
        while (!done) {
          const step: IteratorResult<AiStreamEvent> = pending ?? (await call.next());
          pending = null;
          if (step.done) throw new AiProviderError("The provider's stream ended without a final event.", "invalid_response");
          const event = step.value;
          if (event.type === "text") {
            roundText += event.delta;
            reply += event.delta;
            await send("delta", { text: event.delta });
          } else if (event.type === "tool_calls") {
            calls = event.calls;
          } else {
            usage.inputTokens += event.usage.inputTokens;
            usage.outputTokens += event.usage.outputTokens;
            model = event.model;
            finishReason = event.finishReason;
            done = true;
          }
        }
        call.end();
        // This call's reservation becomes what it used.
        await settle(usage.inputTokens + usage.outputTokens - settledSoFar);
        settledSoFar = usage.inputTokens + usage.outputTokens;
        round += 1;
        if (!calls.length || round > MAX_TOOL_ROUNDS) break;

        messages.push({ role: "assistant", content: roundText, toolCalls: calls });
        for (const toolCall of calls) {
          await send("tool", { name: toolCall.name, status: "running" });
          const result = await runTool(ctx, assistant.tools, toolCall);
          const count = "count" in result ? result.count : null;
          toolCalls.push({ name: toolCall.name, arguments: toolCall.arguments, resultCount: count });
          messages.push({ role: "tool", toolCallId: toolCall.id, content: JSON.stringify(result) });
          await send("tool", { name: toolCall.name, status: "done", ...(count === null ? { error: true } : { count }) });
        }
        if (client.signal.aborted) throw new AiProviderError("The client went away.", "timeout");
        reservation = await reserveAiTokens(ctx, ctx.actor.id, worstCase(messages));
        // The rounds with tools are counted; the last one answers without them.
        call = new ModelCall(ai, { messages, tools: round < MAX_TOOL_ROUNDS ? assistant.tools : [] }, client.signal, timeoutMs);
      }

      const metadata = { provider: ai.name, model, usage, toolCalls, finishReason, durationMs: Date.now() - started };
      const stored = await storeReply(ctx, store, conversationId, reply, metadata);
      if (!stored) {
        ctx.logger.info("assistant reply dropped", { ...log, reason: "conversation_gone" });
        await send("error", { problem: notFound(store.name === "mr_blue" ? "conversation" : "domain conversation").toProblem() });
        return;
      }
      ctx.logger.info("assistant replied", { ...log, rounds: round, tools: toolCalls.length, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens });
      await send("done", { message: stored, usage });
    } catch (error) {
      call.end();
      if (error instanceof AiProviderError) {
        ctx.logger.warn("assistant call failed", { ...log, kind: error.kind, phase: "stream", rounds: round });
        await fail(aiFailure(error), error.kind);
      } else if (error instanceof AppError) {
        await fail(error, error.code);
      } else {
        ctx.logger.error("assistant stream failed", { ...log, ...errorFields(error) });
        await fail(new AppError(500, "internal_error", "The reply could not be completed."), "internal_error");
      }
    }
  });
}
