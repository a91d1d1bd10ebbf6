/** The feed pages in the browser. (Being written: scenarios of issue 18.) */
import type { E2E } from "./harness";

export function feedScenarios(_e2e: E2E): void {}
