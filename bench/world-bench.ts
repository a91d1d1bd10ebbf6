/**
 * The world itself (issue 17, "Data"): rows per table of each generated world, and how long
 * the generation took (seconds, rows/s), per scale and engine. A reused world (`--keep`)
 * reports its rows only: its generation was not timed in this run.
 */
import type { WorldBench } from "./context";
import { formatScale } from "./report";

export const worldBench: WorldBench = {
  name: "world",
  run(ctx, world, role) {
    const section = ctx.report.section("Data generation");
    const engine = world.engine === "PGlite" ? "pglite" : "postgres";
    const scale = formatScale(world.scale);
    const rows = Object.values(world.counts).reduce((sum, n) => sum + n, 0);
    const ordered = Object.entries(world.counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
    section.text(
      `World of ${world.scale.toLocaleString("en-US")} dancers on ${world.engineVersion} (${role}): ${rows.toLocaleString("en-US")} rows in ` +
        `${ordered.length} tables, ${world.generatedSeconds === null ? "reused from an earlier run (`--keep`), not timed here" : `generated in ${world.generatedSeconds.toFixed(1)} s`}. ` +
        `Bulk-loaded by \`INSERT ... SELECT\` over \`generate_series\` through the production driver, each statement over an id range; ` +
        `every draw a hash of the row's id, so a scale gives the same world on every run and engine.`,
    );
    section.table(["table", "rows"], ordered.map(([table, n]) => [table, n.toLocaleString("en-US")]));
    if (world.generatedSeconds !== null) {
      section.figure(`world.${engine}.${scale}.generation`, world.generatedSeconds, "s", { note: `${world.scale} dancers, ${rows} rows` });
      section.figure(`world.${engine}.${scale}.rows_per_s`, rows / world.generatedSeconds, "rows/s");
      if (world.slowestStatement) {
        section.figure(`world.${engine}.${scale}.slowest_statement`, world.slowestStatement.seconds, "s", {
          note: `step "${world.slowestStatement.step}"; Neon's HTTP endpoint cuts a statement at ~15 s`,
        });
      }
      ctx.report.grow(engine === "pglite" ? "generation (PGlite)" : "generation", world.scale, world.generatedSeconds, "s");
    }
    return Promise.resolve();
  },
};
