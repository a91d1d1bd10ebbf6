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
 * DATABASE_URL (a throwaway database, dropped by `close`).
 */
export async function benchDatabase(name: string): Promise<{
  local: NeonLocal;
  databaseUrl: string;
  fetchEndpoint: string;
  engine: string;
  close: () => Promise<void>;
}> {
  const local = await startNeonLocal({ port: 0, databaseUrl: process.env.DATABASE_URL });
  const database = `bench_${name}_${process.pid}`;
  if (await local.backend.hasDatabase(database)) await local.backend.dropDatabase(database);
  await local.backend.createDatabase(database);
  const target = { databaseUrl: local.connectionString(database), fetchEndpoint: `${local.url}/sql` };
  await migrate(target);
  return {
    local,
    ...target,
    engine: local.backend.kind === "postgres" ? "PostgreSQL" : "PGlite",
    close: async () => {
      await local.backend.dropDatabase(database);
      await local.close();
    },
  };
}
