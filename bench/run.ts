/**
 * `npm run bench [-- <name>] [--users N] [--keep]`: benchmarks that print figures (not part of
 * npm test). Names: seed-queries, closeness, endpoint, passwords, profile-counts, feed, chat. Default: all.
 * `--keep` keeps the feed bench's generated PostgreSQL database for the next run.
 */
import { parseArgs } from "node:util";
import { chatBench } from "./chat";
import { closenessBench } from "./closeness";
import { endpointThroughput } from "./endpoint";
import { feedBench } from "./feed";
import { passwordCost } from "./passwords";
import { profileCounts } from "./profile-counts";
import { seedQueries } from "./seed-queries";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { users: { type: "string" }, keep: { type: "boolean" } },
});
const benches: Record<string, () => Promise<void>> = {
  "seed-queries": () => seedQueries(Number(values.users ?? 20_000)),
  closeness: () => closenessBench(Number(values.users ?? 10_000)),
  endpoint: endpointThroughput,
  passwords: passwordCost,
  "profile-counts": () => profileCounts(Number(values.users ?? 100_000)),
  feed: () => feedBench(Number(values.users ?? 100_000), { keep: values.keep }),
  chat: () => chatBench(),
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
