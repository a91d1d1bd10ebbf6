/**
 * `npm run bench [-- <name>] [--users N]`: benchmarks that print figures (not part of
 * npm test). --users defaults to 20000 (seed-queries) and 10000 (closeness). Names: seed-queries, closeness, endpoint, passwords. Default: all.
 */
import { parseArgs } from "node:util";
import { closenessBench } from "./closeness";
import { endpointThroughput } from "./endpoint";
import { passwordCost } from "./passwords";
import { seedQueries } from "./seed-queries";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { users: { type: "string" } },
});
const benches: Record<string, () => Promise<void>> = {
  "seed-queries": () => seedQueries(Number(values.users ?? 20000)),
  closeness: () => closenessBench(Number(values.users ?? 10000)),
  endpoint: endpointThroughput,
  passwords: passwordCost,
};
const selected = positionals.length ? positionals : Object.keys(benches);
for (const name of selected) {
  const bench = benches[name];
  if (!bench) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(benches).join(", ")}`);
    process.exit(2);
  }
  await bench();
}
