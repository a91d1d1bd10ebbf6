import { friendshipIdRange, recomputeClosenessRange } from "../modules/graph";
import { forEachIdRange, type Job } from "./job";

/** Friendships per statement: each chunk is one HTTP round trip well inside Neon's timeout. */
const CHUNK = 5000;

/** Recomputes every friendship's closeness score (the graph module's verb), chunk by chunk. */
export const recomputeCloseness: Job = {
  name: "recompute-closeness",
  async run(ctx) {
    const totals = { examined: 0, updated: 0, chunks: 0 };
    await forEachIdRange(await friendshipIdRange(ctx), CHUNK, async (lo, hi) => {
      const counts = await recomputeClosenessRange(ctx, { lo, hi });
      totals.examined += counts.examined;
      totals.updated += counts.updated;
      totals.chunks += 1;
    });
    return totals;
  },
};
