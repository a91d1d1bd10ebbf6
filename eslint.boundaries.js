/**
 * Module boundaries: a module in src/modules/<name>/ is used by others only through its
 * index.ts (its router, verbs, conditions and schemas). Tests may reach inside.
 * Shared by eslint.config.js and tools/lint-boundaries.test.ts.
 */
const message = "Import another module through its index.ts (its public surface), not its files.";

/**
 * Wrangler bundles an import whose path ends in `.sql` as a text module, not as the
 * TypeScript file `x.sql.ts`: the Worker then fails at start-up. Name such files otherwise.
 */
const sqlText = {
  regex: "\\.sql$",
  message: "An import ending in .sql is bundled by wrangler as text: rename the file (e.g. x.statement.ts).",
};

export const boundaries = [
  {
    // Inside a module: a sibling module's file (../users/users.schemas) is off limits.
    files: ["src/modules/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: "^\\.\\./[^./][^/]*/.", message }, sqlText] }],
    },
  },
  {
    // Outside the modules (app, jobs, middleware, lib, workers): modules/<name>/<file> is off limits.
    files: ["src/**/*.ts", "workers/**/*.ts"],
    ignores: ["src/modules/**", "**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: "(^|/)modules/[^/]+/.", message }, sqlText] }],
    },
  },
  {
    // The web client talks to the API only through the typed client (src/client.ts) and the
    // WebSocket protocol: none of the Worker's code is bundled into it.
    files: ["src/web/**/*.ts", "src/web/**/*.tsx"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "(^|/)(modules|lib|jobs|middleware|drizzle|workers)(/|$)|^\\.\\./app$",
              message: "The web client imports only ../client (the typed client) from outside src/web.",
            },
          ],
        },
      ],
    },
  },
];
