// Side tables of the social graph (issue 10): what the seed's tables lack, in tables of our own.
// Each part of the work keeps its tables in its own block below.
import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

// ---- Closeness job -------------------------------------------------------------------------

/**
 * Where a chunked job stopped: the last id it finished (0 once a pass is complete), so a run
 * cut off by its time budget or by the platform resumes there instead of starting over.
 */
export const jobCursors = pgTable("job_cursors", {
  job: text("job").primaryKey(),
  position: integer("position").default(0).notNull(),
  updatedAt: timestamp("updated_at").defaultNow().notNull(),
});

// ---- End of closeness job -----------------------------------------------------------------
