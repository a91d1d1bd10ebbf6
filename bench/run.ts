/**
 * `npm run bench [-- <name>...] [--quick] [--users N] [--keep]`: the scale benchmarks (issue 17).
 * They print figures as they go and write a JSON file and a Markdown report with SVG plots to
 * `bench/results/full/` (`quick/` with --quick; `partial-<names>/` when only some benchmarks ran).
 *
 * - Database: the PostgreSQL in DATABASE_URL (through the local Neon endpoint, as in tests), and
 *   PGlite at the smallest scale beside it; without DATABASE_URL, PGlite only, at small scales.
 * - Scales: 1k, 10k and 100k dancers (growth curves), the targets read at the last; `--quick`
 *   runs 1k and 2k in under 5 minutes; `--users N` sets the main scale.
 * - `--keep` keeps each generated PostgreSQL world (`bench_world_<scale>`) and reuses it next run.
 *
 * World benchmarks run at every scale on a generated world; standalone ones start what they need
 * (`npm run dev`, Miniflare, wrangler). Extra benchmarks (older, print only) run only by name.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bundleBench } from "./bundle";
import { chatBench } from "./chat";
import { closenessBench } from "./closeness";
import type { BenchContext, StandaloneBench, WorldBench } from "./context";
import { cronBench } from "./cron";
import { endpointThroughput } from "./endpoint";
import { feedBench } from "./feed";
import { hotRowBench } from "./hot-row";
import { httpLoadBench } from "./http";
import { passwordCost } from "./passwords";
import { Report } from "./report";
import { roundTripsBench } from "./roundtrips";
import { routesBench } from "./routes";
import { worldBench } from "./world-bench";
import { openWorld } from "./world";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { users: { type: "string" }, keep: { type: "boolean" }, quick: { type: "boolean" } },
});

const WORLD_BENCHES: WorldBench[] = [worldBench, routesBench, feedBench, cronBench];
const STANDALONE: StandaloneBench[] = [roundTripsBench, httpLoadBench, hotRowBench, chatBench, bundleBench];
const EXTRAS: Record<string, () => Promise<void>> = {
  closeness: () => closenessBench(Number(values.users ?? 10_000)),
  endpoint: endpointThroughput,
  passwords: passwordCost,
};

const known = [...WORLD_BENCHES, ...STANDALONE].map((b) => b.name);
for (const name of positionals) {
  if (!known.includes(name) && !(name in EXTRAS)) {
    console.error(`unknown benchmark ${name}; known: ${[...known, ...Object.keys(EXTRAS)].join(", ")}`);
    process.exit(2);
  }
}
const extras = positionals.filter((name) => name in EXTRAS);
for (const name of extras) await EXTRAS[name]!();
if (extras.length && extras.length === positionals.length) process.exit(0);

const selected = (name: string) => positionals.length === 0 || positionals.includes(name);
const quick = values.quick === true;
const engine = process.env.DATABASE_URL ? "postgres" : "pglite";
// PGlite holds a database in memory (WASM): it stays at the small scales.
const main = Number(values.users ?? (quick ? 2_000 : engine === "postgres" ? 100_000 : 10_000));
const scales = [...new Set([1_000, quick ? 0 : 10_000, main].filter((s) => s > 0 && s <= main))].sort((a, b) => a - b);
const mode = positionals.length ? `partial-${positionals.join("-")}` : quick ? "quick" : "full";
const ctx: BenchContext = {
  quick,
  scale: main,
  scales,
  engine,
  keep: values.keep === true,
  report: new Report({ mode: positionals.length ? "partial" : quick ? "quick" : "full", args: process.argv.slice(2), scales, databases: [] }),
};

const failures: string[] = [];
async function attempt(name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    // One benchmark failing leaves the others' figures: the report says which failed.
    failures.push(name);
    console.error(`benchmark ${name} failed:`, error);
    ctx.report.section("Failures").text(`- \`${name}\`: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const worldBenches = WORLD_BENCHES.filter((b) => selected(b.name));
if (worldBenches.length) {
  const runs: { scale: number; engine: "postgres" | "pglite"; role: "main" | "growth" | "pglite" }[] = scales.map((scale) => ({
    scale,
    engine,
    role: scale === main ? "main" : "growth",
  }));
  if (engine === "postgres") runs.push({ scale: scales[0]!, engine: "pglite", role: "pglite" });
  for (const run of runs) {
    console.log(`\n# world of ${run.scale} dancers on ${run.engine} (${run.role})`);
    const world = await openWorld(run.scale, { engine: run.engine, keep: ctx.keep });
    ctx.report.addDatabase(world.engineVersion);
    try {
      for (const bench of worldBenches) await attempt(`${bench.name} (${run.scale}, ${run.engine})`, () => bench.run(ctx, world, run.role));
    } finally {
      await world.close();
    }
  }
}
for (const bench of STANDALONE.filter((b) => selected(b.name))) await attempt(bench.name, () => bench.run(ctx));

if (ctx.report.growth.size) {
  const section = ctx.report.section("Growth");
  const byUnit = new Map<string, [string, { unit: string; points: [number, number][] }][]>();
  for (const entry of ctx.report.growth) byUnit.set(entry[1].unit, [...(byUnit.get(entry[1].unit) ?? []), entry]);
  for (const [unit, series] of byUnit) {
    section.plot({
      name: `growth-${unit.replace(/\W+/g, "")}`,
      title: `Growth with the number of dancers (${unit})`,
      x: "dancers",
      y: unit,
      logX: true,
      series: series.map(([name, s]) => ({ name, points: s.points })),
    });
    section.table(
      ["series", ...scales.map(String)],
      series.map(([name, s]) => [name, ...scales.map((scale) => s.points.find(([x]) => x === scale)?.[1] ?? Number.NaN)]),
    );
  }
}
const path = ctx.report.write(join("bench", "results", mode));
console.log(`\nreport: ${path}`);
if (failures.length) {
  console.error(`${failures.length} benchmark(s) failed: ${failures.join(", ")}`);
  process.exit(1);
}
