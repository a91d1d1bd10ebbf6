/**
 * `npm run db:seed [-- --users 200 --seed 42]`: demo data (see tools/lib/seed.ts), in the
 * database `npm run dev` uses (through its endpoint when it is running).
 */
import { parseArgs } from "node:util";
import { createDb } from "../src/lib/db";
import { openDatabase } from "./lib/database";
import { migrate } from "./lib/migrate";
import { seed } from "./lib/seed";

const { values } = parseArgs({
  options: { users: { type: "string", default: "200" }, seed: { type: "string", default: "2026" } },
});
const userCount = Number(values.users);
const seedValue = Number(values.seed);
if (!Number.isInteger(userCount) || userCount < 10 || userCount > 100_000) {
  console.error("--users must be an integer from 10 to 100000");
  process.exit(2);
}

const started = Date.now();
const target = await openDatabase();
try {
  console.log(`Seeding ${target.describe}`);
  await migrate(target);
  const db = createDb(target);
  const counts = await seed(db, { users: userCount, seed: seedValue, log: (line) => console.log(line) });
  console.log(
    Object.entries(counts)
      .map(([name, n]) => `${name}: ${n}`)
      .join(", "),
  );
  console.log(`Seeded in ${((Date.now() - started) / 1000).toFixed(1)}s.`);
} finally {
  await target.close();
}
