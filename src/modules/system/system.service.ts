import { sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";

/** True when the database answers a trivial query. */
export async function pingDatabase({ db }: Ctx): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}
