import { migrate } from "../tools/lib/migrate";
import { type NeonLocal, startNeonLocal } from "../tools/neon-local/server";

/** Milliseconds of each run of `fn`, after `warmup` unmeasured runs. */
export async function measure(runs: number, fn: (i: number) => Promise<unknown>, warmup = 5): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn(i);
    times.push(performance.now() - started);
  }
  return times;
}

export function percentile(times: number[], p: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function summary(times: number[]): string {
  return `p50 ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms (n=${times.length})`;
}

/**
 * A fresh, migrated database on the local endpoint: PGlite in memory, or the PostgreSQL in
 * DATABASE_URL (a throwaway database, dropped by `close`). With `keep` (PostgreSQL only: a
 * PGlite database lives in memory) it is named `bench_<name>` and kept after `close`, and a
 * kept one is reused with its data (`reused: true`, new migrations applied), so a bench with
 * minutes of data generation can be rerun at once. `engine: "pglite"` takes PGlite even when
 * DATABASE_URL is set; `reusable` may refuse a kept database (data of an older generator, an
 * unfinished generation): it is then dropped and made afresh.
 */
export async function benchDatabase(
  name: string,
  options: {
    keep?: boolean;
    engine?: "postgres" | "pglite";
    reusable?: (target: { databaseUrl: string; fetchEndpoint: string }) => Promise<boolean>;
  } = {},
): Promise<{
  local: NeonLocal;
  databaseUrl: string;
  fetchEndpoint: string;
  engine: string;
  reused: boolean;
  close: () => Promise<void>;
}> {
  const local = await startNeonLocal({ port: 0, databaseUrl: options.engine === "pglite" ? undefined : process.env.DATABASE_URL });
  const keep = options.keep === true && local.backend.kind === "postgres";
  const database = keep ? `bench_${name}` : `bench_${name}_${process.pid}`;
  const target = { databaseUrl: local.connectionString(database), fetchEndpoint: `${local.url}/sql` };
  let reused = keep && (await local.backend.hasDatabase(database));
  if (reused && options.reusable && !(await options.reusable(target))) reused = false;
  if (!reused) {
    if (await local.backend.hasDatabase(database)) await local.backend.dropDatabase(database);
    await local.backend.createDatabase(database);
  }
  // A kept database gets the migrations added since (an index under test, say).
  await migrate(target);
  return {
    local,
    ...target,
    engine: local.backend.kind === "postgres" ? "PostgreSQL" : "PGlite",
    reused,
    close: async () => {
      try {
        if (!keep) await dropWhenFree(() => local.backend.dropDatabase(database));
      } finally {
        await local.close();
      }
    },
  };
}

/**
 * Drops a throwaway database, waiting for an autovacuum worker to leave it: the forced drop
 * may not end a backend of another role (SQLSTATE 42501), and a bench that wrote a lot has
 * often started one. Five tries, a second apart.
 */
async function dropWhenFree(drop: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await drop();
    } catch (error) {
      const code = (error as { body?: { code?: string } }).body?.code;
      if (code !== "42501" || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
