import { type SQL, sql } from "drizzle-orm";
import { authorColumns } from "./checkins.conditions";

/** The select list of a photo ({@link PhotoRow}), for an event_photos row `photo` joined to its author's users row `author`. */
export function photoColumns(photo: SQL, author: SQL): SQL {
  return sql`${photo}.id, ${photo}.event_id, ${authorColumns(author)}, ${photo}.url, ${photo}.caption,
    ${photo}.hidden_at IS NOT NULL AS hidden, ${photo}.created_at::text AS created_key`;
}
