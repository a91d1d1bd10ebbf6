import wranglerToml from "../../wrangler.toml?raw";
import { afterEach, describe, expect, it } from "vitest";
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
