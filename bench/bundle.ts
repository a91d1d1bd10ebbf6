// Placeholder until its benchmark is written (issue 17).
import type { StandaloneBench } from "./context";

export const bundleBench: StandaloneBench = {
  name: "bundle",
  run: () => Promise.reject(new Error("bundle: not written yet")),
};
