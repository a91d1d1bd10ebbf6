// Placeholder until its benchmark is written (issue 17).
import type { WorldBench } from "./context";

export const routesBench: WorldBench = {
  name: "routes",
  run: () => Promise.reject(new Error("routes: not written yet")),
};
