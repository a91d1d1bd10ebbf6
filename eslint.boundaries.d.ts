import type { Linter } from "eslint";

/** Module-boundary rules (see eslint.boundaries.js). */
export const boundaries: Linter.Config[];
