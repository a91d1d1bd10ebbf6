/** The events pages in the browser. (Being written: scenarios of issue 18.) */
import type { E2E } from "./harness";

export function eventsScenarios(_e2e: E2E): void {}
