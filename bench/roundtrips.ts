// Placeholder until its benchmark is written (issue 17).
import type { StandaloneBench } from "./context";

export const roundTripsBench: StandaloneBench = {
  name: "roundtrips",
  run: () => Promise.reject(new Error("roundtrips: not written yet")),
};
