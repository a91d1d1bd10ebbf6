/**
 * The local Neon endpoint's overhead: a trivial query and a 3-statement batch through the
 * production driver, sequential and 8 at a time.
 */
import { neon } from "@neondatabase/serverless";
import { benchDatabase, measure, summary } from "./lib";

export async function endpointThroughput(): Promise<void> {
  const db = await benchDatabase("endpoint");
  const sql = neon(db.databaseUrl);
  try {
    console.log(`local endpoint on ${db.engine}`);
    await sql.query("CREATE TABLE bench_counter (id int PRIMARY KEY, n int NOT NULL)");
    await sql.query("INSERT INTO bench_counter VALUES (1, 0)");
    console.log(`  select 1           ${summary(await measure(300, () => sql.query("SELECT 1")))}`);
    const batch = () =>
      sql.transaction([
        sql`UPDATE bench_counter SET n = n + 1 WHERE id = 1`,
        sql`SELECT n FROM bench_counter WHERE id = 1`,
        sql`SELECT now()`,
      ]);
    console.log(`  batch of 3         ${summary(await measure(300, batch))}`);
    const started = performance.now();
    const total = 800;
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let i = 0; i < total / 8; i++) await sql.query("SELECT 1");
    }));
    const seconds = (performance.now() - started) / 1000;
    console.log(`  8 concurrent clients: ${(total / seconds).toFixed(0)} queries/s`);
  } finally {
    await db.close();
  }
}
