// Placeholder until its benchmark is written (issue 17).
import type { WorldBench } from "./context";

export const worldBench: WorldBench = {
  name: "world",
  run: () => Promise.reject(new Error("world: not written yet")),
};
