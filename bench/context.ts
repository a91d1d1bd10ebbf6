/** What `bench/run.ts` hands each benchmark. */
import type { Report } from "./report";
import type { World } from "./world";

export interface BenchContext {
  /** `--quick`: a small scale and fewer runs, the whole run under 5 minutes. */
  quick: boolean;
  /** The main scale (dancers): the targets are read at this one. */
  scale: number;
  /** Every scale generated, ascending, the main one last (growth curves). */
  scales: number[];
  /** PostgreSQL (DATABASE_URL set) or PGlite only. */
  engine: "postgres" | "pglite";
  /** Keep generated PostgreSQL worlds for the next run (`--keep`). */
  keep: boolean;
  report: Report;
}

/** Where a world benchmark runs: the main scale, a smaller one (growth figures only), or PGlite at small scale beside PostgreSQL. */
export type WorldRole = "main" | "growth" | "pglite";

export interface WorldBench {
  name: string;
  run(ctx: BenchContext, world: World, role: WorldRole): Promise<void>;
}

export interface StandaloneBench {
  name: string;
  run(ctx: BenchContext): Promise<void>;
}
