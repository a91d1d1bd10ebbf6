/**
 * `npm run db:migrate`: applies migrations/ to the database (see tools/lib/database.ts for
 * which one). With DATABASE_URL set to Neon, this is the production migration command.
 */
import { openDatabase } from "./lib/database";
import { migrate } from "./lib/migrate";

const target = await openDatabase();
try {
  console.log(`Migrating ${target.describe}`);
  const { applied } = await migrate({ ...target, log: (line) => console.log(`  ${line}`) });
  console.log(applied.length ? `Applied ${applied.length} migration(s).` : "Already up to date.");
} finally {
  await target.close();
}
