import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import { boundaries } from "../eslint.boundaries.js";

/** Lints a source text as if it were the file at `filePath`, with only the boundary rules. */
async function lint(filePath: string, code: string) {
  const eslint = new ESLint({ overrideConfigFile: true, overrideConfig: boundaries, cwd: process.cwd() });
  const [result] = await eslint.lintText(code, { filePath });
  // A file the rules ignore (a test) comes back with one "file ignored" notice and no rule id.
  return result!.messages.flatMap((m) => (m.ruleId ? [m.ruleId] : []));
}

describe("module boundaries (eslint.boundaries.js)", () => {
  it("refuse a module reaching into another module's files", async () => {
    expect(await lint("src/modules/blocks/blocks.service.ts", `import { toUserCard } from "../users/users.schemas";`)).toEqual([
      "no-restricted-imports",
    ]);
  });

  it("refuse the app, jobs and middleware reaching into a module's files", async () => {
    for (const file of ["src/middleware/auth.ts", "src/jobs/closeness.ts", "src/app.ts"]) {
      const from = file === "src/app.ts" ? "./modules/auth/auth.service" : "../modules/auth/auth.service";
      expect(await lint(file, `import { login } from "${from}";`), file).toEqual(["no-restricted-imports"]);
    }
  });

  it("refuse an import ending in .sql, which wrangler would bundle as text", async () => {
    expect(await lint("src/modules/graph/closeness.service.ts", `import { x } from "./closeness.sql";`)).toEqual([
      "no-restricted-imports",
    ]);
    expect(await lint("src/jobs/closeness.ts", `import { x } from "../lib/cleanup.sql";`)).toEqual(["no-restricted-imports"]);
  });

  it("allow a module's index, its own files, shared lib code, and tests reaching inside", async () => {
    expect(await lint("src/modules/blocks/blocks.service.ts", `import { toUserCard } from "../users";`)).toEqual([]);
    expect(await lint("src/modules/blocks/blocks.service.ts", `import { x } from "./blocks.schemas";`)).toEqual([]);
    expect(await lint("src/modules/blocks/blocks.service.ts", `import { x } from "../../lib/pagination";`)).toEqual([]);
    expect(await lint("src/jobs/closeness.ts", `import { x } from "../modules/graph";`)).toEqual([]);
    expect(await lint("src/modules/blocks/blocks.test.ts", `import { x } from "../users/users.schemas";`)).toEqual([]);
  });
});
