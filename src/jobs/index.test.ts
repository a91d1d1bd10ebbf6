import wranglerToml from "../../wrangler.toml?raw";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "../../test/harness";
import { forEachIdRange, type Job } from "./job";
import { runScheduled, SCHEDULES } from "./index";

const t = await useTestDatabase();

describe("cron schedules", () => {
  it("has jobs for every Cron Trigger in wrangler.toml, and no schedule wrangler does not fire", () => {
    const crons = /crons\s*=\s*\[([^\]]*)\]/.exec(wranglerToml)?.[1] ?? "";
    const declared = [...crons.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(declared.length).toBeGreaterThan(0);
    expect(Object.keys(SCHEDULES).sort()).toEqual(declared.sort());
  });

  it("hands each job the JOB_CHUNKS queue, so a chunked job can fan out", async () => {
    const seen: unknown[] = [];
    SCHEDULES["*/7 * * * *"] = [{ name: "probe", run: (_ctx, io) => (seen.push(io?.chunks), Promise.resolve({})) }];
    try {
      await runScheduled("*/7 * * * *", t.env, new Date());
    } finally {
      delete SCHEDULES["*/7 * * * *"];
    }
    expect(seen).toEqual([t.env.JOB_CHUNKS]);
    expect(seen[0]).toBeDefined();
  });

  it("ignores a schedule with no jobs", async () => {
    await expect(runScheduled("1 2 3 4 5", t.env, new Date())).resolves.toBeUndefined();
  });

  describe("a failing job", () => {
    const ran: string[] = [];
    const job = (name: string, fail: boolean): Job => ({
      name,
      run: () => {
        ran.push(name);
        return fail ? Promise.reject(new Error(`${name} broke`)) : Promise.resolve({ done: 1 });
      },
    });
    afterEach(() => {
      delete SCHEDULES["*/5 * * * *"];
    });

    it("logs a database failure with its SQL state, never the statement's parameters", async () => {
      const secret = "leaky-value@example.com";
      const failing: Job = {
        name: "failing-sql",
        run: async ({ db }) => {
          await db.execute(sql`INSERT INTO users (email, username, password, name) VALUES (${secret}, NULL, ${secret}, ${secret})`);
          return {};
        },
      };
      SCHEDULES["*/5 * * * *"] = [failing];
      const lines: string[] = [];
      const spy = vi.spyOn(console, "error").mockImplementation((line: string) => void lines.push(line));
      try {
        await expect(runScheduled("*/5 * * * *", { ...t.env, LOG_LEVEL: "error" }, new Date())).rejects.toThrow(/1 job\(s\) failed/);
      } finally {
        spy.mockRestore();
      }
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ msg: "job failed", job: "failing-sql", error: { sqlState: "23502", column: "username" } });
      expect(lines[0]).not.toContain(secret);
    });

    it("does not stop the jobs after it, and fails the run", async () => {
      SCHEDULES["*/5 * * * *"] = [job("first", true), job("second", false)];
      await expect(runScheduled("*/5 * * * *", t.env, new Date())).rejects.toThrow(/1 job\(s\) failed/);
      expect(ran).toEqual(["first", "second"]);
    });
  });
});

describe("forEachIdRange", () => {
  it("covers the id range in chunks, each bound once", async () => {
    const ranges: [number, number][] = [];
    await forEachIdRange({ min: 3, max: 12 }, 4, (lo, hi) => {
      ranges.push([lo, hi]);
      return Promise.resolve();
    });
    expect(ranges).toEqual([
      [3, 6],
      [7, 10],
      [11, 12],
    ]);
  });

  it("does nothing on an empty table", async () => {
    let calls = 0;
    await forEachIdRange({ min: null, max: null }, 10, () => {
      calls += 1;
      return Promise.resolve();
    });
    expect(calls).toBe(0);
  });
});
