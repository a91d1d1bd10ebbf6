import { describe, expect, it } from "vitest";
import { evaluateAll, type FlagRule, isOnFor, needsCity, ROLLOUT_BUCKETS, rolloutBucket, type Subject } from "./flags.evaluate";
import { cityKey } from "./flags.schemas";

/** A rule as the cache holds it: enabled, 100%, untargeted unless given. */
function rule(overrides: Partial<Omit<FlagRule, "allow" | "deny" | "cities">> & { allow?: number[]; deny?: number[]; cities?: string[] } = {}): FlagRule {
  const { allow = [], deny = [], cities = [], ...rest } = overrides;
  return {
    key: "new-feed",
    enabled: true,
    rolloutPercentage: 100,
    minLevel: null,
    ...rest,
    allow: new Set(allow),
    deny: new Set(deny),
    cities: new Set(cities.map(cityKey)),
  };
}

const dancer = (overrides: Partial<Subject> = {}): Subject => ({ userId: 42, level: 1, city: "Buenos Aires", ...overrides });
const ids = (count: number) => Array.from({ length: count }, (_, i) => i + 1);

/** How many of `users` a flag is on for. */
async function onCount(flag: FlagRule, users: number[]): Promise<number> {
  const answers = await Promise.all(users.map((userId) => isOnFor(flag, dancer({ userId }))));
  return answers.filter(Boolean).length;
}

describe("flag evaluation: the rules", () => {
  it("is off when disabled, whoever asks (the allow list included)", async () => {
    const flag = rule({ enabled: false, allow: [42] });
    expect(await isOnFor(flag, dancer())).toBe(false);
    expect(await isOnFor(flag, null)).toBe(false);
  });

  it("lets the allow list beat the rollout, the level and the city", async () => {
    const flag = rule({ rolloutPercentage: 0, minLevel: 8, cities: ["Berlin"], allow: [42] });
    expect(await isOnFor(flag, dancer())).toBe(true);
    expect(await isOnFor(flag, dancer({ userId: 43 }))).toBe(false);
  });

  it("lets the deny list beat the allow list and a 100% rollout", async () => {
    expect(await isOnFor(rule({ allow: [42], deny: [42] }), dancer())).toBe(false);
    expect(await isOnFor(rule({ deny: [42] }), dancer())).toBe(false);
    expect(await isOnFor(rule({ deny: [42] }), dancer({ userId: 43 }))).toBe(true);
  });

  it("targets a level and above", async () => {
    const flag = rule({ minLevel: 5 });
    expect(await isOnFor(flag, dancer({ level: 4 }))).toBe(false);
    expect(await isOnFor(flag, dancer({ level: 5 }))).toBe(true);
    expect(await isOnFor(flag, dancer({ level: 8 }))).toBe(true);
  });

  it("targets cities in any case, and never a dancer without one", async () => {
    const flag = rule({ cities: ["Buenos Aires", "São Paulo"] });
    expect(await isOnFor(flag, dancer({ city: "BUENOS AIRES" }))).toBe(true);
    expect(await isOnFor(flag, dancer({ city: " buenos aires " }))).toBe(true);
    expect(await isOnFor(flag, dancer({ city: "SÃO PAULO" }))).toBe(true);
    expect(await isOnFor(flag, dancer({ city: "Berlin" }))).toBe(false);
    expect(await isOnFor(flag, dancer({ city: null }))).toBe(false);
  });

  it("needs every targeting condition at once", async () => {
    const flag = rule({ minLevel: 5, cities: ["Berlin"] });
    expect(await isOnFor(flag, dancer({ level: 5, city: "Berlin" }))).toBe(true);
    expect(await isOnFor(flag, dancer({ level: 4, city: "Berlin" }))).toBe(false);
    expect(await isOnFor(flag, dancer({ level: 5, city: "Paris" }))).toBe(false);
  });

  it("gives an anonymous caller only enabled, untargeted 100% flags", async () => {
    expect(await isOnFor(rule(), null)).toBe(true);
    expect(await isOnFor(rule({ deny: [42], allow: [7] }), null)).toBe(true);
    expect(await isOnFor(rule({ rolloutPercentage: 99 }), null)).toBe(false);
    expect(await isOnFor(rule({ minLevel: 1 }), null)).toBe(false);
    expect(await isOnFor(rule({ cities: ["Berlin"] }), null)).toBe(false);
  });

  it("evaluates a set into {key: boolean}", async () => {
    const flags = [rule({ key: "a" }), rule({ key: "b", enabled: false }), rule({ key: "c", minLevel: 7 })];
    expect(await evaluateAll(flags, dancer({ level: 7 }))).toEqual({ a: true, b: false, c: true });
    expect(await evaluateAll(flags, null)).toEqual({ a: true, b: false, c: false });
  });

  it("asks for the city only when an undecided, city-targeted flag needs it", () => {
    expect(needsCity([rule()], 42, 1)).toBe(false);
    expect(needsCity([rule({ cities: ["Berlin"] })], 42, 1)).toBe(true);
    expect(needsCity([rule({ cities: ["Berlin"], enabled: false })], 42, 1)).toBe(false);
    expect(needsCity([rule({ cities: ["Berlin"], allow: [42] })], 42, 1)).toBe(false);
    expect(needsCity([rule({ cities: ["Berlin"], deny: [42] })], 42, 1)).toBe(false);
    expect(needsCity([rule({ cities: ["Berlin"], minLevel: 5 })], 42, 4)).toBe(false);
    expect(needsCity([rule({ cities: ["Berlin"], rolloutPercentage: 0 })], 42, 1)).toBe(false);
  });
});

describe("flag evaluation: the rollout bucket", () => {
  it("is SHA-256(`key:userId`)'s first 4 bytes mod 10,000 (known answers, as any isolate computes them)", async () => {
    // Computed outside the Worker (Python's hashlib) for these inputs.
    expect(await rolloutBucket("new-feed", 42)).toBe(2103);
    expect(await rolloutBucket("checkout.v2", 1)).toBe(2055);
    expect(await rolloutBucket("checkout.v2", 7)).toBe(732);
  });

  it("gives a dancer the same answer every time", async () => {
    const flag = rule({ rolloutPercentage: 50 });
    for (const userId of ids(50)) {
      const first = await isOnFor(flag, dancer({ userId }));
      for (let i = 0; i < 3; i++) expect(await isOnFor(flag, dancer({ userId }))).toBe(first);
    }
  });

  it("puts 25% ± 1.5% of 10,000 dancers in a 25% rollout, none at 0%, all at 100%", async () => {
    const users = ids(10_000);
    const quarter = await onCount(rule({ rolloutPercentage: 25 }), users);
    expect(quarter).toBeGreaterThanOrEqual(2_350);
    expect(quarter).toBeLessThanOrEqual(2_650);
    expect(await onCount(rule({ rolloutPercentage: 0 }), users)).toBe(0);
    expect(await onCount(rule({ rolloutPercentage: 100 }), users)).toBe(10_000);
  });

  it("spreads buckets evenly over 0-9999", async () => {
    const buckets = await Promise.all(ids(10_000).map((userId) => rolloutBucket("spread", userId)));
    expect(Math.min(...buckets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...buckets)).toBeLessThan(ROLLOUT_BUCKETS);
    const tenths = Array.from({ length: 10 }, (_, d) => buckets.filter((b) => Math.floor(b / 1000) === d).length);
    for (const count of tenths) expect(Math.abs(count - 1_000)).toBeLessThan(100);
  });

  it("picks different dancers for different flags (independent buckets)", async () => {
    const users = ids(10_000);
    const a = rule({ key: "flag-a", rolloutPercentage: 50 });
    const b = rule({ key: "flag-b", rolloutPercentage: 50 });
    const answers = await Promise.all(users.map(async (userId) => [await isOnFor(a, dancer({ userId })), await isOnFor(b, dancer({ userId }))]));
    const both = answers.filter(([x, y]) => x && y).length;
    // Independent: on for both about 50% × 50% = 25% of them (the same dancers would be 50%).
    expect(both).toBeGreaterThanOrEqual(2_350);
    expect(both).toBeLessThanOrEqual(2_650);
  });

  it("only adds dancers when a rollout grows", async () => {
    const users = ids(2_000);
    for (const userId of users) {
      if (await isOnFor(rule({ rolloutPercentage: 10 }), dancer({ userId }))) {
        expect(await isOnFor(rule({ rolloutPercentage: 20 }), dancer({ userId }))).toBe(true);
      }
    }
  });
});
