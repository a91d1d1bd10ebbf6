import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { aiUsageDaily, blockedUsers, lifeCeoGoals, lifeCeoMilestones, mrBlueConversations, mrBlueMessages, userSettings } from "../../../drizzle/schema";
import { FakeAiProvider, apiWithAi, parseSse } from "../../../test/ai";
import { addMrBlueMessage, createDomainConversation, createMrBlueConversation, domainId } from "../../../test/assistant";
import { clearOfRateLimitWindowEdge, signedIn } from "../../../test/auth";
import { createTeacher, createVenue } from "../../../test/directory";
import { befriend, createEvent, createGroup, createUser, rsvp } from "../../../test/factories";
import { type ApiResponse, createApi, useTestDatabase } from "../../../test/harness";
import { createListing } from "../../../test/housing";
import { createApp } from "../../app";
import { type AiProvider, AiProviderError, type AiStreamEvent } from "../../lib/ai";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

const messagesOf = (conversationId: number) =>
  t.db.select().from(mrBlueMessages).where(eq(mrBlueMessages.conversationId, conversationId)).orderBy(mrBlueMessages.id);

/** The web app the links point into (APP_URL). */
const APP = t.env.APP_URL.replace(/\/+$/, "");

const today = () => new Date().toISOString().slice(0, 10);

/** The tool results the model was sent in a request, parsed. */
const toolResults = (fake: FakeAiProvider, request: number) =>
  fake.requests[request]!.messages.filter((m) => m.role === "tool").map((m) => JSON.parse(m.content) as { items?: any[]; count?: number; error?: string });

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
    expect(events.filter((e) => e.event === "delta").map((e) => String(e.data.text)).join("")).toBe("Hola! Let me help you find a milonga.");
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

describe("the tools: what the model may read, with the caller's visibility", () => {
  it("answers 'Where can I dance tonight in Madrid?' from visible events with their links, never another organizer's private one", async () => {
    const fake = new FakeAiProvider([
      { toolCalls: [{ name: "find_events", arguments: { city: "Madrid", from: today(), to: today() } }] },
      (request) => {
        const result = JSON.parse(request.messages.at(-1)!.content) as { items: Array<{ title: string; link: string }> };
        return { text: `Tonight: ${result.items.map((e) => `${e.title} (${e.link})`).join(", ")}` };
      },
    ]);
    const { user, token, conversation, api } = await dancerWithConversation(fake);
    const organizer = await createUser(t.db);
    const tonight = new Date(`${today()}T21:00:00Z`);
    const open = await createEvent(t.db, { userId: organizer.id, city: "Madrid", country: "Spain", title: "Milonga El Beso", startDate: tonight });
    const group = await createGroup(t.db, { createdBy: organizer.id, type: "private" });
    const hidden = await createEvent(t.db, { userId: organizer.id, city: "Madrid", country: "Spain", title: "Members only", startDate: tonight, groupId: group.id });
    const blocker = await createUser(t.db);
    await t.db.insert(blockedUsers).values({ blockerId: blocker.id, blockedId: user.id });
    const blocked = await createEvent(t.db, { userId: blocker.id, city: "Madrid", country: "Spain", title: "Not for you", startDate: tonight });
    await createEvent(t.db, { userId: organizer.id, city: "Madrid", country: "Spain", title: "Next month", startDate: new Date(Date.now() + 40 * 86_400_000) });
    await createEvent(t.db, { userId: organizer.id, city: "Sevilla", country: "Spain", title: "Elsewhere", startDate: tonight });

    const res = await api.post(`/api/ai/conversations/${conversation.id}/messages`, { token, json: { content: "Where can I dance tonight in Madrid?" } });
    expect(res.status).toBe(200);
    const events = parseSse(res.body);
    expect(events.map((e) => e.event)).toEqual(["message", "tool", "tool", "delta", "delta", "delta", "done"]);
    expect(events[1]!.data).toEqual({ name: "find_events", status: "running" });
    expect(events[2]!.data).toEqual({ name: "find_events", status: "done", count: 1 });

    const [result] = toolResults(fake, 1);
    const link = `${APP}/events/${open.id}`;
    expect(result).toEqual({ items: [expect.objectContaining({ id: open.id, title: "Milonga El Beso", city: "Madrid", link })], count: 1 });
    const sent = JSON.stringify(fake.requests[1]!.messages);
    for (const other of [hidden, blocked]) {
      expect(sent).not.toContain(other.title);
      expect(sent).not.toContain(`/events/${other.id}"`);
    }
    // The model was offered every tool by its contract name.
    expect(fake.requests[0]!.tools!.map((tool) => tool.name)).toEqual(["find_events", "find_teachers", "find_venues", "find_listings", "friends_in_city", "my_upcoming_rsvps"]);
    const done = events.at(-1)!.data;
    expect(done.message.content).toBe(`Tonight: Milonga El Beso (${link})`);
    expect(done.message.metadata.toolCalls).toEqual([{ name: "find_events", arguments: { city: "Madrid", from: today(), to: today() }, resultCount: 1 }]);
    // Both model calls are counted.
    expect(done.usage.inputTokens).toBeGreaterThan(0);
    expect(await usageOf(user.id)).toBe(done.usage.inputTokens + done.usage.outputTokens);
  });

  it("reads teachers, venues, listings, friends in a city and the caller's RSVPs as compact cards with links", async () => {
    const fake = new FakeAiProvider([
      {
        toolCalls: [
          { name: "find_teachers", arguments: { city: "Rosario" } },
          { name: "find_venues", arguments: { city: "rosario" } },
          { name: "find_listings", arguments: { city: "Rosario", checkIn: "2031-03-01", checkOut: "2031-03-04", guests: 1 } },
          { name: "friends_in_city", arguments: { city: "Rosario" } },
          { name: "my_upcoming_rsvps", arguments: {} },
        ],
      },
      { text: "Here is Rosario." },
    ]);
    const { user, token, conversation, api } = await dancerWithConversation(fake);
    const [teacherUser, host, friend, privateFriend, stranger] = await Promise.all([
      createUser(t.db),
      createUser(t.db),
      createUser(t.db, { city: "Rosario" }),
      createUser(t.db, { city: "Rosario" }),
      createUser(t.db, { city: "Rosario" }),
    ]);
    await befriend(t.db, user.id, friend.id);
    await befriend(t.db, user.id, privateFriend.id);
    await t.db.insert(userSettings).values({ userId: privateFriend.id, profileVisibility: "private" });
    const teacher = await createTeacher(t.db, { userId: teacherUser.id, city: "Rosario", country: "Argentina" });
    const venue = await createVenue(t.db, { createdBy: host.id, city: "Rosario", country: "Argentina" });
    const home = await createListing(t.db, { userId: host.id, city: "Rosario", country: "Argentina" });
    const event = await createEvent(t.db, { userId: host.id, city: "Rosario" });
    await rsvp(t.db, event.id, user.id, "going");

    const res = await api.post(`/api/ai/conversations/${conversation.id}/messages`, { token, json: { content: "Rosario?" } });
    expect(res.status).toBe(200);
    const [teachers, venues, listings, friends, rsvps] = toolResults(fake, 1);
    expect(teachers!.items).toEqual([expect.objectContaining({ id: teacher.id, city: "Rosario", link: `${APP}/teachers/${teacher.id}` })]);
    expect(venues!.items).toEqual([expect.objectContaining({ id: venue.id, link: `${APP}/venues/${venue.id}` })]);
    expect(listings!.items).toEqual([expect.objectContaining({ id: home.id, link: `${APP}/housing/${home.id}` })]);
    expect(listings!.items![0]).not.toHaveProperty("address");
    expect(friends!.items).toEqual([{ id: friend.id, username: friend.username, name: friend.name, city: "Rosario", link: `${APP}/profile/${friend.username}` }]);
    expect(rsvps!.items).toEqual([expect.objectContaining({ id: event.id, status: "going", link: `${APP}/events/${event.id}` })]);
    const sent = JSON.stringify(fake.requests[1]!.messages);
    for (const other of [friend, privateFriend, stranger, host]) {
      expect(sent).not.toContain(other.email);
    }
    expect(sent).not.toContain(stranger.username);
    expect(sent).not.toContain(privateFriend.username);
  });

  it("gives bad or unknown tool arguments back to the model as an error result, and the reply still completes", async () => {
    const fake = new FakeAiProvider([
      { toolCalls: [{ name: "find_events", arguments: { city: 42 } }, { name: "find_listings", arguments: {} }, { name: "drop_tables", arguments: {} }] },
      { toolCalls: [{ name: "find_events", arguments: { city: "Madrid", from: "2031-05-01", to: "2031-04-01" } }] },
      { text: "Sorry, I could not search that." },
    ]);
    const { token, conversation, api } = await dancerWithConversation(fake);
    const res = await api.post(`/api/ai/conversations/${conversation.id}/messages`, { token, json: { content: "Events?" } });
    expect(res.status).toBe(200);
    const events = parseSse(res.body);
    expect(events.at(-1)!.event).toBe("done");
    const results = toolResults(fake, 1);
    expect(results).toHaveLength(3);
    expect(results[0]!.error).toMatch(/^bad arguments: city/);
    expect(results[1]!.error).toMatch(/^bad arguments: city/);
    expect(results[2]!.error).toBe("unknown tool drop_tables");
    expect(toolResults(fake, 2)[3]!.error).toMatch(/before `from`/);
    expect(events.filter((e) => e.event === "tool" && e.data.status === "done").map((e): unknown => e.data)).toEqual([
      { name: "find_events", status: "done", error: true },
      { name: "find_listings", status: "done", error: true },
      { name: "drop_tables", status: "done", error: true },
      { name: "find_events", status: "done", error: true },
    ]);
    expect(events.at(-1)!.data.message.metadata.toolCalls.map((c: { resultCount: unknown }) => c.resultCount)).toEqual([null, null, null, null]);
  });

  it("caps the tool rounds: after four, the model answers without tools", async () => {
    const ask = { toolCalls: [{ name: "my_upcoming_rsvps", arguments: {} }] };
    const fake = new FakeAiProvider([ask, ask, ask, ask, ask, { text: "never sent" }]);
    const { token, conversation, api } = await dancerWithConversation(fake);
    const res = await api.post(`/api/ai/conversations/${conversation.id}/messages`, { token, json: { content: "Loop" } });
    expect(res.status).toBe(200);
    expect(fake.requests).toHaveLength(5);
    expect(fake.requests.slice(0, 4).every((r) => r.tools?.length === 6)).toBe(true);
    expect(fake.requests[4]!.tools).toBeUndefined();
    const events = parseSse(res.body);
    expect(events.filter((e) => e.event === "tool" && e.data.status === "done")).toHaveLength(4);
    expect(events.at(-1)!.event).toBe("done");
    expect(fake.remaining).toBe(1);
  });
});

describe("the prompt", () => {
  it("holds the caller's own profile and the recent history within the budget, never another user's private fields", async () => {
    const fake = new FakeAiProvider([{ text: "Sure." }]);
    const { user, token, conversation, api } = await dancerWithConversation(fake, {
      city: "Madrid",
      country: "Spain",
      tangoRoles: ["leader"],
      leaderLevel: 3,
      languages: ["es", "en"],
    });
    const friend = await createUser(t.db, { city: "Madrid" });
    await befriend(t.db, user.id, friend.id);
    const long = "x".repeat(14_000);
    await addMrBlueMessage(t.db, conversation.id, { role: "user", content: long });
    await addMrBlueMessage(t.db, conversation.id, { role: "assistant", content: "An old answer" });
    await addMrBlueMessage(t.db, conversation.id, { role: "tool", content: "a raw tool row" });
    await addMrBlueMessage(t.db, conversation.id, { role: "user", content: "A recent question" });
    const res = await api.post(`/api/ai/conversations/${conversation.id}/messages`, { token, json: { content: "Hola" } });
    expect(res.status).toBe(200);
    const [request] = fake.requests;
    const system = request!.messages[0]!;
    expect(system.role).toBe("system");
    expect(system.content).toContain("Mr. Blue");
    expect(system.content).toContain(today());
    expect(system.content).toContain('"city":"Madrid"');
    expect(system.content).toContain('"tangoRoles":["leader"]');
    expect(system.content).toContain('"languages":["es","en"]');
    // History: the newest that fit the budget, in order; the message over it and what precedes it left out; tool rows never.
    expect(request!.messages.slice(1).map((m) => [m.role, m.content])).toEqual([
      ["assistant", "An old answer"],
      ["user", "A recent question"],
      ["user", "Hola"],
    ]);
    const prompt = JSON.stringify(request!.messages);
    for (const secret of [user.email, friend.email, friend.username, user.password]) {
      expect(prompt).not.toContain(secret);
    }
  });
});

describe("the daily quota and the rate limit", () => {
  it("refuses a dancer over today's tokens with 429 ai_quota_exceeded, Retry-After and resetsAt, storing nothing", async () => {
    const fake = new FakeAiProvider([{ text: "never" }]);
    const { user, token, conversation, api } = await dancerWithConversation(fake);
    await t.db.insert(aiUsageDaily).values({ userId: user.id, day: today(), tokens: 19_900, requests: 9 });
    const res = await api.post(`/api/ai/conversations/${conversation.id}/messages`, { token, json: { content: "One more?" } });
    expect(res.status).toBe(429);
    expect(res.body.code).toBe("ai_quota_exceeded");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    const tomorrow = new Date(Date.parse(`${today()}T00:00:00Z`) + 86_400_000).toISOString();
    expect(res.body.resetsAt).toBe(tomorrow);
    expect(fake.requests).toHaveLength(0);
    expect(await messagesOf(conversation.id)).toEqual([]);
    expect(await usageOf(user.id)).toBe(19_900);
    const usage = await api.get("/api/ai/usage", { token });
    expect(usage.body).toEqual({ day: today(), tokens: 19_900, requests: 9, quota: 20_000, resetsAt: tomorrow });
  });

  it("lets racing sends together use no more than the quota: each reserves its worst case first", async () => {
    const fake = new FakeAiProvider([{ text: "A", usage: { inputTokens: 300, outputTokens: 1 } }, { text: "B", usage: { inputTokens: 300, outputTokens: 1 } }]);
    const { user, token, conversation, api } = await dancerWithConversation(fake);
    // Room for one call's worst case (its prompt and 800 reply tokens), not for two.
    await t.db.insert(aiUsageDaily).values({ userId: user.id, day: today(), tokens: 20_000 - 1_700, requests: 1 });
    const results = await Promise.all([1, 2].map((n) => api.post(`/api/ai/conversations/${conversation.id}/messages`, { token, json: { content: `Question ${n}` } })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 429]);
    expect(fake.requests).toHaveLength(1);
    expect(await usageOf(user.id)).toBe(20_000 - 1_700 + 301);
    expect((await messagesOf(conversation.id)).map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("answers 429 past the per-user rate limit (10 a minute), before anything else", async () => {
    await clearOfRateLimitWindowEdge();
    const { token, conversation } = await dancerWithConversation(new FakeAiProvider());
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await t.api.post(`/api/ai/conversations/${conversation.id}/messages`, { token, json: { content: "Hi" } })).status);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(503), 429]);
    expect(await messagesOf(conversation.id)).toEqual([]);
  });
});

describe("refusals before anything is stored", () => {
  it("answers 503 ai_unavailable without a provider, storing nothing and counting nothing", async () => {
    const { user, token } = await signedIn(t);
    const conversation = await createMrBlueConversation(t.db, user.id);
    const res = await t.api.post(`/api/ai/conversations/${conversation.id}/messages`, { token, json: { content: "Hi" } });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("ai_unavailable");
    expect(await messagesOf(conversation.id)).toEqual([]);
    expect(await usageOf(user.id)).toBe(0);
  });

  it("answers 404 for another dancer's conversation and 401 anonymously, without calling the model", async () => {
    const fake = new FakeAiProvider([{ text: "never" }]);
    const { conversation } = await dancerWithConversation(fake);
    const intruder = await signedIn(t, { role: "god" });
    const api = apiWithAi(t, fake);
    const base = `/api/ai/conversations/${conversation.id}`;
    expect((await api.post(`${base}/messages`, { token: intruder.token, json: { content: "Hi" } })).status).toBe(404);
    expect((await api.get(base, { token: intruder.token })).status).toBe(404);
    expect((await api.get(`${base}/messages`, { token: intruder.token })).status).toBe(404);
    expect((await api.patch(base, { token: intruder.token, json: { title: "Mine" } })).status).toBe(404);
    expect((await api.delete(base, { token: intruder.token })).status).toBe(404);
    expect((await api.post(`${base}/messages`, { json: { content: "Hi" } })).status).toBe(401);
    expect(fake.requests).toHaveLength(0);
    expect(await messagesOf(conversation.id)).toEqual([]);
    expect(await usageOf(intruder.user.id)).toBe(0);
  });

  it("refuses unbounded or broken input with 400", async () => {
    const fake = new FakeAiProvider();
    const { token, conversation, api } = await dancerWithConversation(fake);
    for (const content of ["", "   ", "x".repeat(4001), "Hola\u0000", "bell\u0007"]) {
      const res = await api.post(`/api/ai/conversations/${conversation.id}/messages`, { token, json: { content } });
      expect(res.status, JSON.stringify(content)).toBe(400);
    }
    expect((await api.post(`/api/ai/conversations/${conversation.id}/messages`, { token, json: { content: "x".repeat(4000) } })).status).not.toBe(400);
  });
});

describe("provider failures", () => {
  const kinds = [
    ["unauthorized", 502, "ai_failed"],
    ["invalid_response", 502, "ai_failed"],
    ["rate_limited", 503, "ai_busy"],
    ["unavailable", 503, "ai_busy"],
    ["timeout", 504, "ai_timeout"],
    ["rejected", 422, "ai_rejected"],
  ] as const;
  for (const [kind, status, code] of kinds) {
    it(`before the first event, ${kind} is a ${status} ${code} problem: the question kept, the quota given back`, async () => {
      const fake = new FakeAiProvider([{ error: new AiProviderError("provider said: secret prompt echo", kind, 401, 7) }]);
      const { user, token, conversation, api } = await dancerWithConversation(fake);
      const res = await api.post(`/api/ai/conversations/${conversation.id}/messages`, { token, json: { content: "Hi" } });
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toMatch(/problem\+json/);
      expect(res.body.code).toBe(code);
      expect(JSON.stringify(res.body)).not.toContain("secret prompt echo");
      if (code === "ai_busy") expect(res.headers.get("retry-after")).toBe("7");
      expect((await messagesOf(conversation.id)).map((m) => [m.role, m.content])).toEqual([["user", "Hi"]]);
      expect(await usageOf(user.id)).toBe(0);
    });
  }

  it("mid-stream: sends an error event and keeps the partial reply marked with the error", async () => {
    const fake = new FakeAiProvider([{ error: new AiProviderError("reset", "unavailable"), afterChunks: ["Let me ", "see"] }]);
    const { user, token, conversation, api } = await dancerWithConversation(fake);
    const res = await api.post(`/api/ai/conversations/${conversation.id}/messages`, { token, json: { content: "Hi" } });
    expect(res.status).toBe(200);
    const events = parseSse(res.body);
    expect(events.map((e) => e.event)).toEqual(["message", "delta", "delta", "error"]);
    expect(events[3]!.data.problem).toMatchObject({ status: 503, code: "ai_busy" });
    expect(events[3]!.data.message).toMatchObject({ role: "assistant", content: "Let me see", metadata: { error: "unavailable", finishReason: "error" } });
    const stored = await messagesOf(conversation.id);
    expect(stored.map((m) => [m.role, m.content])).toEqual([["user", "Hi"], ["assistant", "Let me see"]]);
    // What streamed is counted; the rest of the reservation is given back.
    expect(await usageOf(user.id)).toBe(3);
  });

  it("a model that never answers is cut at AI_TIMEOUT_SECONDS: 504 ai_timeout", async () => {
    const fake = new FakeAiProvider([{ hang: true }]);
    const { user, token, conversation } = await dancerWithConversation(fake);
    const api = createApi({ ...t.env, AI_TIMEOUT_SECONDS: "1" }, createApp({ aiProvider: () => fake }).fetch);
    const res = await api.post(`/api/ai/conversations/${conversation.id}/messages`, { token, json: { content: "Hi" } });
    expect(res.status).toBe(504);
    expect(res.body.code).toBe("ai_timeout");
    expect(await usageOf(user.id)).toBe(0);
  });

  it("a conversation deleted while its reply streams: the reply is not stored, the stream ends with an error event", async () => {
    let conversationId = 0;
    const deleting: AiProvider = {
      name: "fake",
      model: "fake-model-1",
      async *chat(): AsyncIterable<AiStreamEvent> {
        yield { type: "text", delta: "Hola" };
        await t.db.delete(mrBlueConversations).where(eq(mrBlueConversations.id, conversationId));
        yield { type: "done", usage: { inputTokens: 10, outputTokens: 2 }, model: "fake-model-1", finishReason: "stop" };
      },
    };
    const { user, token, conversation } = await dancerWithConversation(new FakeAiProvider());
    conversationId = conversation.id;
    const res = await apiWithAi(t, deleting).post(`/api/ai/conversations/${conversation.id}/messages`, { token, json: { content: "Hi" } });
    expect(res.status).toBe(200);
    const events = parseSse(res.body);
    expect(events.map((e) => e.event)).toEqual(["message", "delta", "error"]);
    expect(events[2]!.data.problem).toMatchObject({ status: 404, code: "not_found" });
    expect(await messagesOf(conversation.id)).toEqual([]);
    expect(await usageOf(user.id)).toBe(12);
  });
});

describe("conversations: create, read, rename, delete, list", () => {
  it("creates (201, with or without a title), reads, renames and deletes the caller's own", async () => {
    const { token } = await signedIn(t);
    const created = await t.api.post("/api/ai/conversations", { token, json: { title: "Madrid trip" } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(Number), title: "Madrid trip", lastMessageAt: expect.any(String), createdAt: expect.any(String) });
    const untitled = await t.api.post("/api/ai/conversations", { token });
    expect(untitled.status).toBe(201);
    expect(untitled.body.title).toBeNull();
    const id = created.body.id as number;
    expect((await t.api.get(`/api/ai/conversations/${id}`, { token })).body.title).toBe("Madrid trip");
    const renamed = await t.api.patch(`/api/ai/conversations/${id}`, { token, json: { title: "Sevilla" } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.title).toBe("Sevilla");
    expect((await t.api.patch(`/api/ai/conversations/${id}`, { token, json: { title: "a\nb" } })).status).toBe(400);
    expect((await t.api.patch(`/api/ai/conversations/${id}`, { token, json: { title: "" } })).status).toBe(400);
    await addMrBlueMessage(t.db, id);
    expect((await t.api.delete(`/api/ai/conversations/${id}`, { token })).status).toBe(204);
    expect((await t.api.get(`/api/ai/conversations/${id}`, { token })).status).toBe(404);
    expect(await messagesOf(id)).toEqual([]);
  });

  it("lists the caller's conversations by newest activity, page by page without gaps or repeats; a bad cursor is 400", async () => {
    const { user, token } = await signedIn(t);
    const tie = new Date("2026-02-01T20:00:00.123456Z");
    const times = [new Date("2026-01-01T20:00:00Z"), tie, tie, new Date("2026-03-01T20:00:00Z"), new Date("2026-01-15T20:00:00Z")];
    const rows = [];
    for (const lastMessageAt of times) rows.push(await createMrBlueConversation(t.db, user.id, { lastMessageAt }));
    await createMrBlueConversation(t.db, (await createUser(t.db)).id);
    const ids: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: ApiResponse = await t.api.get(`/api/ai/conversations?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { token });
      expect(res.status).toBe(200);
      ids.push(...res.body.items.map((c: { id: number }) => c.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(ids).toEqual([rows[3]!.id, rows[2]!.id, rows[1]!.id, rows[4]!.id, rows[0]!.id]);
    expect((await t.api.get("/api/ai/conversations?cursor=nonsense", { token })).status).toBe(400);
    expect((await t.api.get(`/api/ai/conversations?cursor=${encodeCursor(["2026-01-01 00:00:00", "x"])}`, { token })).status).toBe(400);
  });

  it("lists a conversation's messages newest first, the dancer's and the assistant's only, without gaps or repeats; a bad cursor is 400", async () => {
    const { user, token } = await signedIn(t);
    const conversation = await createMrBlueConversation(t.db, user.id);
    const written = [];
    for (const [i, role] of (["user", "assistant", "tool", "user", "assistant", "system", "user"] as const).entries()) {
      written.push(await addMrBlueMessage(t.db, conversation.id, { role, content: `m${i}` }));
    }
    const shown = written.filter((m) => m.role === "user" || m.role === "assistant").reverse();
    const ids: number[] = [];
    let cursor: string | null = null;
    do {
      const res: ApiResponse = await t.api.get(
        `/api/ai/conversations/${conversation.id}/messages?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { token },
      );
      expect(res.status).toBe(200);
      ids.push(...res.body.items.map((m: { id: number }) => m.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(ids).toEqual(shown.map((m) => m.id));
    const empty = await createMrBlueConversation(t.db, user.id);
    expect((await t.api.get(`/api/ai/conversations/${empty.id}/messages`, { token })).body).toEqual({ items: [], nextCursor: null });
    expect((await t.api.get(`/api/ai/conversations/${conversation.id}/messages?cursor=${encodeCursor(["x"])}`, { token })).status).toBe(400);
  });
});

describe("Life CEO domain conversations", () => {
  it("creates a conversation in a known domain; an unknown domain is 404, a bad one 400", async () => {
    const { token } = await signedIn(t);
    const travel = await domainId(t.db, "P70");
    const res = await t.api.post("/api/life-ceo/conversations", { token, json: { domainId: travel } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ title: null, domain: { id: travel, name: "Travel Planning", agentId: "P70" } });
    expect((await t.api.post("/api/life-ceo/conversations", { token, json: { domainId: 999_999 } })).status).toBe(404);
    expect((await t.api.post("/api/life-ceo/conversations", { token, json: { domainId: "x" } })).status).toBe(400);
    expect((await t.api.post("/api/life-ceo/conversations", { token, json: {} })).status).toBe(400);
    const list = await t.api.get("/api/life-ceo/conversations", { token });
    expect(list.body.items.map((c: { id: number }) => c.id)).toEqual([res.body.id]);
  });

  it("answers with the domain's persona and the dancer's goals in that domain as context, and only the RSVP tool", async () => {
    const fake = new FakeAiProvider([{ text: "Start with the festival budget." }]);
    const { user, token } = await signedIn(t, { city: "Lyon" });
    const travel = await domainId(t.db, "P70");
    const health = await domainId(t.db, "P66");
    const conversation = await createDomainConversation(t.db, user.id, { domainId: travel });
    const [goal] = await t.db
      .insert(lifeCeoGoals)
      .values([
        { userId: user.id, domainId: travel, title: "Dance at CITA in Buenos Aires", progress: 40, targetDate: new Date("2031-03-01T00:00:00Z") },
        { userId: user.id, domainId: health, title: "Fix my knee" },
      ])
      .returning();
    await t.db.insert(lifeCeoMilestones).values([
      { goalId: goal!.id, userId: user.id, title: "Book the flight", dueDate: "2030-12-01" },
      { goalId: goal!.id, userId: user.id, title: "Renew passport", completedAt: new Date() },
    ]);
    const other = await createUser(t.db);
    await t.db.insert(lifeCeoGoals).values({ userId: other.id, domainId: travel, title: "Someone else's secret goal" });

    const res = await apiWithAi(t, fake).post(`/api/life-ceo/conversations/${conversation.id}/messages`, { token, json: { content: "Where do I start?" } });
    expect(res.status).toBe(200);
    expect(parseSse(res.body).at(-1)!.event).toBe("done");
    const system = fake.requests[0]!.messages[0]!.content;
    expect(system).toContain("Travel Planning");
    expect(system).toContain("a well-travelled tango friend");
    expect(system).toContain("Dance at CITA in Buenos Aires");
    expect(system).toContain('"progress":40');
    expect(system).toContain('"targetDate":"2031-03-01"');
    expect(system).toContain("Book the flight");
    expect(system).not.toContain("Renew passport");
    expect(system).not.toContain("Fix my knee");
    expect(system).not.toContain("secret goal");
    expect(system).not.toContain(user.email);
    expect(fake.requests[0]!.tools!.map((tool) => tool.name)).toEqual(["my_upcoming_rsvps"]);
    const messages = await t.api.get(`/api/life-ceo/conversations/${conversation.id}/messages`, { token });
    expect(messages.body.items.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
      ["assistant", "Start with the festival budget."],
      ["user", "Where do I start?"],
    ]);
    // Another dancer's domain conversation is a 404, and Mr. Blue's routes do not reach it.
    const intruder = await signedIn(t);
    expect((await t.api.get(`/api/life-ceo/conversations/${conversation.id}`, { token: intruder.token })).status).toBe(404);
  });
});
