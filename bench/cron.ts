// Placeholder until its benchmark is written (issue 17).
import type { WorldBench } from "./context";

export const cronBench: WorldBench = {
  name: "cron",
  run: () => Promise.reject(new Error("cron: not written yet")),
};
