/** The chat pages in the browser. (Being written: scenarios of issue 18.) */
import type { E2E } from "./harness";

export function chatScenarios(_e2e: E2E): void {}
