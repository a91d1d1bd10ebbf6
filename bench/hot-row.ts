// Placeholder until its benchmark is written (issue 17).
import type { StandaloneBench } from "./context";

export const hotRowBench: StandaloneBench = {
  name: "hot-row",
  run: () => Promise.reject(new Error("hot-row: not written yet")),
};
