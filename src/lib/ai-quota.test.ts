import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { aiUsageDaily } from "../../drizzle/schema";
import { createUser } from "../../test/factories";
import { useTestDatabase } from "../../test/harness";
import { AppError } from "./errors";
import { AI_DAILY_TOKENS, aiUsageToday, quotaDay, reserveAiTokens, settleAiTokens } from "./ai-quota";

const t = await useTestDatabase();
const at = (iso: string) => ({ db: t.db, now: new Date(iso) });
const NOON = "2026-12-06T12:00:00Z";

async function usage(userId: number, day = "2026-12-06") {
  const [row] = await t.db.select().from(aiUsageDaily).where(and(eq(aiUsageDaily.userId, userId), eq(aiUsageDaily.day, day)));
  return row;
}

describe("the daily AI token quota", () => {
  it("resets at the next 00:00 UTC", () => {
    expect(quotaDay(new Date("2026-12-06T23:59:30Z"))).toMatchObject({ day: "2026-12-06", secondsLeft: 30 });
    expect(quotaDay(new Date(NOON)).resetsAt.toISOString()).toBe("2026-12-07T00:00:00.000Z");
  });

  it("grows with the role tier: free < basic < premium and above", async () => {
    const tiers = await Promise.all(["user", "basic", "premium", "admin"].map((role) => createUser(t.db, { role })));
    const quotas = await Promise.all(tiers.map((u) => aiUsageToday(at(NOON), u.id).then((q) => q.quota)));
    expect(quotas).toEqual([AI_DAILY_TOKENS.free, AI_DAILY_TOKENS.basic, AI_DAILY_TOKENS.premium, AI_DAILY_TOKENS.premium]);
  });

  it("refuses a reservation that would pass the quota with 429, the reset time and nothing counted", async () => {
    const user = await createUser(t.db);
    await reserveAiTokens(at(NOON), user.id, AI_DAILY_TOKENS.free - 100);
    const refused = await reserveAiTokens(at(NOON), user.id, 101).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({
      status: 429,
      code: "ai_quota_exceeded",
      headers: { "Retry-After": String(12 * 3600) },
      extensions: { resetsAt: "2026-12-07T00:00:00.000Z", quota: AI_DAILY_TOKENS.free },
    });
    expect(await usage(user.id)).toMatchObject({ tokens: AI_DAILY_TOKENS.free - 100, requests: 1 });
    // What is left still fits, and the next day starts from zero.
    await reserveAiTokens(at(NOON), user.id, 100);
    await reserveAiTokens(at("2026-12-07T00:00:01Z"), user.id, 500);
    expect(await usage(user.id, "2026-12-07")).toMatchObject({ tokens: 500, requests: 1 });
  });

  it("settles a reservation to what the call used, and gives back all of a failed call's", async () => {
    const user = await createUser(t.db);
    const big = await reserveAiTokens(at(NOON), user.id, 4000);
    await settleAiTokens(at(NOON), big, 1234);
    expect((await usage(user.id))?.tokens).toBe(1234);
    const failed = await reserveAiTokens(at(NOON), user.id, 3000);
    await settleAiTokens(at(NOON), failed, 0);
    expect((await usage(user.id))?.tokens).toBe(1234);
    // A reply longer than reserved counts in full.
    const short = await reserveAiTokens(at(NOON), user.id, 100);
    await settleAiTokens(at(NOON), short, 400);
    expect(await aiUsageToday(at(NOON), user.id)).toMatchObject({ tokens: 1634, requests: 3 });
  });

  it("racing reservations never pass the quota together: exactly those that fit are granted", async () => {
    const user = await createUser(t.db);
    const each = 3000;
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => reserveAiTokens(at(NOON), user.id, each)));
    const granted = results.filter((r) => r.status === "fulfilled").length;
    expect(granted).toBe(Math.floor(AI_DAILY_TOKENS.free / each));
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "ai_quota_exceeded" });
    expect((await usage(user.id))?.tokens).toBe(granted * each);
  });

  it("a dancer who no longer exists reserves nothing", async () => {
    await expect(reserveAiTokens(at(NOON), 2_000_000_000, 10)).rejects.toMatchObject({ code: "ai_quota_exceeded" });
  });
});
