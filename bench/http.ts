// Placeholder until its benchmark is written (issue 17).
import type { StandaloneBench } from "./context";

export const httpLoadBench: StandaloneBench = {
  name: "http",
  run: () => Promise.reject(new Error("http: not written yet")),
};
