import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { aiUsageDaily, mrBlueConversations, mrBlueMessages } from "../../../drizzle/schema";
import { FakeAiProvider, apiWithAi, parseSse } from "../../../test/ai";
import { addMrBlueMessage, createMrBlueConversation } from "../../../test/assistant";
import { signedIn } from "../../../test/auth";
import { befriend, createEvent, createUser } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { AiProviderError } from "../../lib/ai";

const t = await useTestDatabase();

const messagesOf = (conversationId: number) =>
  t.db.select().from(mrBlueMessages).where(eq(mrBlueMessages.conversationId, conversationId)).orderBy(mrBlueMessages.id);

async function usageOf(userId: number) {
  const [row] = await t.db.select().from(aiUsageDaily).where(eq(aiUsageDaily.userId, userId));
  return row?.tokens ?? 0;
}

/** A signed-in dancer with one conversation, and an API whose model is `fake`. */
async function dancerWithConversation(fake: FakeAiProvider, overrides: Parameters<typeof signedIn>[1] = {}) {
  const dancer = await signedIn(t, overrides);
  const conversation = await createMrBlueConversation(t.db, dancer.user.id);
  return { ...dancer, conversation, api: apiWithAi(t, fake) };
}

describe("POST /api/ai/conversations/{id}/messages: a streamed reply", () => {
  it("streams the reply as SSE events in order and stores both messages with the reply's metadata", async () => {
    const fake = new FakeAiProvider([{ text: "Hola! Let me help you find a milonga.", chunks: 3, usage: { inputTokens: 120, outputTokens: 12 } }]);
    const { user, token, conversation, api } = await dancerWithConversation(fake);
    const res = await api.post(`/api/ai/conversations/${conversation.id}/messages`, { token, json: { content: "Hi Mr. Blue" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const events = parseSse(res.body);
    expect(events.map((e) => e.event)).toEqual(["message", "delta", "delta", "delta", "done"]);
    expect(events[0]!.data.message).toMatchObject({ role: "user", content: "Hi Mr. Blue" });
    expect(events.filter((e) => e.event === "delta").map((e) => e.data.text).join("")).toBe("Hola! Let me help you find a milonga.");
    const done = events.at(-1)!.data;
    expect(done.usage).toEqual({ inputTokens: 120, outputTokens: 12 });
    expect(done.message).toMatchObject({
      role: "assistant",
      content: "Hola! Let me help you find a milonga.",
      metadata: { provider: "fake", model: "fake-model-1", usage: { inputTokens: 120, outputTokens: 12 }, toolCalls: [], finishReason: "stop" },
    });
    expect(typeof done.message.metadata.durationMs).toBe("number");

    const stored = await messagesOf(conversation.id);
    expect(stored.map((m) => [m.role, m.content])).toEqual([
      ["user", "Hi Mr. Blue"],
      ["assistant", "Hola! Let me help you find a milonga."],
    ]);
    expect(stored[1]!.metadata).toMatchObject({ provider: "fake", model: "fake-model-1", usage: { inputTokens: 120, outputTokens: 12 } });
    // The quota holds what the call used, not what it reserved.
    expect(await usageOf(user.id)).toBe(132);
    // The first question names the conversation.
    const [row] = await t.db.select().from(mrBlueConversations).where(eq(mrBlueConversations.id, conversation.id));
    expect(row!.title).toBe("Hi Mr. Blue");
    expect(row!.lastMessageAt.getTime()).toBeGreaterThan(conversation.lastMessageAt.getTime());
  });
});
