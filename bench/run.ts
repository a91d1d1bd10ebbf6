/**
 * `npm run bench [-- <name>] [--users N]`: benchmarks that print figures (not part of
 * npm test). Names: seed-queries, endpoint, passwords. Default: all.
 */
import { parseArgs } from "node:util";
import { endpointThroughput } from "./endpoint";
import { passwordCost } from "./passwords";
import { seedQueries } from "./seed-queries";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { users: { type: "string", default: "20000" } },
});
const benches: Record<string, () => Promise<void>> = {
  "seed-queries": () => seedQueries(Number(values.users)),
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
