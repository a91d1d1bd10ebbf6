/**
 * The Worker's bundle and its startup (issue 17, item 7).
 *
 * 1. `wrangler deploy --dry-run --outdir <tmp> --metafile`: what `wrangler deploy` would upload
 *    (wrangler.toml's build: not minified), raw and gzipped; the same with `--minify` beside it
 *    (full runs); the biggest modules and packages in it (esbuild's metafile: bytes each adds
 *    to the output).
 * 2. The web app's assets (dist/web, built by wrangler.toml's `[build]` during that dry run),
 *    raw and gzipped, source maps aside (they are not served to browsers that do not ask).
 * 3. Startup, two ways:
 *    - cold start: a fresh workerd (Miniflare) loading the built bundle, from `new Miniflare`
 *      until the answer to its first request (a path no route has: through the app's router and
 *      middleware to a 404, no database), repeated; the same with a stub module exporting the
 *      same classes (everything but our code: workerd's process, its config, the bindings), and
 *      the difference, which is our code's compile and top-level evaluation plus one request;
 *    - `wrangler check startup`: workerd's own CPU profile of the module's top level (what
 *      Cloudflare limits at deploy), its active time and heaviest functions.
 *
 * `npm run bench -- bundle [--quick]`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { freePort } from "../tools/lib/net";
import type { BenchContext, StandaloneBench } from "./context";
import { percentile } from "./lib";
import type { Section } from "./report";

/** The target: the Worker's bundle gzipped. */
const BUNDLE_GZIP_TARGET_KB = 1024;
const KiB = 1024;

const gzipBytes = (bytes: Buffer) => gzipSync(bytes, { level: 9 }).length;

interface Built {
  dir: string;
  /** The modules wrangler wrote (api.js, and any others), source maps aside. */
  files: { name: string; raw: number; gzip: number }[];
  raw: number;
  gzip: number;
  /** What wrangler itself printed ("Total Upload: ... / gzip: ..."). */
  wranglerLine: string | null;
  seconds: number;
  metafile: string;
}

function wrangler(args: string[], what: string): { stdout: string; seconds: number } {
  const started = performance.now();
  const out = spawnSync("npx", ["wrangler", ...args], {
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (out.status !== 0) throw new Error(`${what} failed:\n${out.stdout}${out.stderr}`);
  return { stdout: `${out.stdout}\n${out.stderr}`, seconds: (performance.now() - started) / 1000 };
}

/** `wrangler deploy --dry-run` into a fresh directory, with esbuild's metafile. */
function build(minify: boolean): Built {
  const dir = mkdtempSync(join(tmpdir(), "mt-bench-bundle-"));
  const metafile = join(dir, "meta.json");
  const { stdout, seconds } = wrangler(
    ["deploy", "--dry-run", "--outdir", join(dir, "out"), "--metafile", metafile, ...(minify ? ["--minify"] : [])],
    "wrangler deploy --dry-run",
  );
  const files = readdirSync(join(dir, "out"), { recursive: true, encoding: "utf8" })
    // The modules only: wrangler also writes a README.md there, and source maps stay behind.
    .filter((name) => /\.(m?js|wasm|bin|txt|html)$/.test(name) && name !== "README.md" && statSync(join(dir, "out", name)).isFile())
    .map((name) => {
      const bytes = readFileSync(join(dir, "out", name));
      return { name, raw: bytes.length, gzip: gzipBytes(bytes) };
    });
  return {
    dir,
    files,
    raw: files.reduce((a, f) => a + f.raw, 0),
    gzip: files.reduce((a, f) => a + f.gzip, 0),
    wranglerLine: /Total Upload:[^\n]*/.exec(stdout)?.[0]?.trim() ?? null,
    seconds,
    metafile,
  };
}

interface Metafile {
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** What each input module, and each package, adds to the Worker's output. */
function biggestModules(metafile: string): { modules: [string, number][]; packages: [string, number][]; total: number } {
  const meta = JSON.parse(readFileSync(metafile, "utf8")) as Metafile;
  const output = Object.entries(meta.outputs).filter(([name]) => !name.endsWith(".map")).sort((a, b) => b[1].bytes - a[1].bytes)[0];
  if (!output) throw new Error("bundle: the metafile names no output");
  const modules = Object.entries(output[1].inputs).map(([path, input]) => [path.replace(/^.*node_modules\//, "node_modules/"), input.bytesInOutput] as [string, number]);
  const packages = new Map<string, number>();
  for (const [path, bytes] of modules) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const name = match ? match[1]! : path.startsWith("src/") || path.startsWith("workers/") || path.startsWith("drizzle/") ? `(ours) ${path.split("/").slice(0, 3).join("/")}` : path.split("/")[0]!;
    packages.set(name, (packages.get(name) ?? 0) + bytes);
  }
  return {
    modules: modules.sort((a, b) => b[1] - a[1]),
    packages: [...packages].sort((a, b) => b[1] - a[1]),
    total: output[1].bytes,
  };
}

/** The web app's files in dist/web (source maps aside), raw and gzipped. */
function webAssets(): { name: string; raw: number; gzip: number }[] {
  const dir = join("dist", "web");
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => !name.endsWith(".map") && statSync(join(dir, name)).isFile())
    .map((name) => {
      const bytes = readFileSync(join(dir, name));
      return { name, raw: bytes.length, gzip: gzipBytes(bytes) };
    })
    .sort((a, b) => b.gzip - a.gzip);
}

/** A module with the Worker's exports and nothing else: the baseline a cold start is compared to. */
const STUB = `import { DurableObject } from "cloudflare:workers";
export class ChatRoom extends DurableObject {}
export class UserHub extends DurableObject {}
export default { fetch: () => new Response("not found", { status: 404 }) };
`;

/** Milliseconds from `new Miniflare` (a fresh workerd) until the answer to its first request, for the module at `scriptPath`. */
async function coldStart(scriptPath: string, modulesRoot: string): Promise<{ ms: number; status: number }> {
  const { modulesRules: _rules, ...workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml").workerOptions;
  const port = await freePort();
  const started = performance.now();
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      ...workerOptions,
      host: "127.0.0.1",
      port,
      modules: true,
      scriptPath,
      modulesRoot,
      durableObjectsPersist: false,
      bindings: {
        ...(workerOptions.bindings ?? {}),
        APP_ENV: "development",
        LOG_LEVEL: "warn",
        DATABASE_URL: "postgres://startup@127.0.0.1:9/not-used",
        JWT_SECRET: "bench-jwt-secret-0123456789abcdef0123456789",
        ENCRYPTION_KEY: "bench-encryption-key-0123456789abcdef012345",
        EMAIL_API_KEY: "",
        DEPLOY_WEBHOOK_SECRET: "bench-deploy-webhook-secret-0123456789abcdef",
      },
    }),
  );
  try {
    const url = await mf.ready;
    const response = await fetch(new URL("/api/bench-startup-no-such-route", url));
    await response.arrayBuffer();
    return { ms: performance.now() - started, status: response.status };
  } finally {
    await mf.dispose();
  }
}

/** `wrangler check startup`: workerd's CPU profile of the module's top level. */
function checkStartup(dir: string): { activeMs: number; gcMs: number; windowMs: number; top: [string, number][] } | null {
  const file = join(dir, "startup.cpuprofile");
  const { stdout } = wrangler(["check", "startup", "--outfile", file], "wrangler check startup");
  const number = (label: string) => Number(new RegExp(`${label}:\\s*([\\d.]+) ms`).exec(stdout)?.[1] ?? Number.NaN);
  const activeMs = number("Active");
  const gcMs = Number(/including ([\d.]+) ms garbage/.exec(stdout)?.[1] ?? Number.NaN);
  if (!Number.isFinite(activeMs)) return null;
  const profile = JSON.parse(readFileSync(file, "utf8")) as {
    nodes: { callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
    startTime: number;
    endTime: number;
    samples: number[];
  };
  const perSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
  const self = new Map<string, number>();
  for (const node of profile.nodes) {
    const f = node.callFrame;
    const key = f.url ? `${f.functionName || "(top level)"} (${f.url.split("/").pop()}:${f.lineNumber + 1})` : f.functionName;
    self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0) * perSample);
  }
  return { activeMs, gcMs, windowMs: number("Profile window"), top: [...self].sort((a, b) => b[1] - a[1]).slice(0, 8) };
}

function reportBuild(section: Section, built: Built, minified: Built | null): void {
  const gzipKb = built.gzip / KiB;
  section.figure("bundle.worker.gzip", gzipKb, "KiB", {
    target: { op: "<=", value: BUNDLE_GZIP_TARGET_KB },
    note: gzipKb > BUNDLE_GZIP_TARGET_KB ? "see the biggest modules below" : undefined,
  });
  section.figure("bundle.worker.raw", built.raw / KiB, "KiB");
  if (minified) {
    section.figure("bundle.worker.minified.gzip", minified.gzip / KiB, "KiB", { note: "with --minify (wrangler.toml does not minify)" });
    section.figure("bundle.worker.minified.raw", minified.raw / KiB, "KiB");
  }
  section.figure("bundle.build.seconds", built.seconds, "s", { note: "wrangler deploy --dry-run, with the web app's build" });
  section.table(
    ["build", "file", "raw KiB", "gzip KiB"],
    [
      ...built.files.map((f) => ["as deployed", f.name, f.raw / KiB, f.gzip / KiB]),
      ...(minified?.files ?? []).map((f) => ["--minify", f.name, f.raw / KiB, f.gzip / KiB]),
    ],
  );
}

export async function runBundleBench(ctx: BenchContext): Promise<void> {
  const section = ctx.report.section("Bundle and startup");
  const built = build(false);
  const minified = ctx.quick ? null : build(true);
  const stubDir = mkdtempSync(join(tmpdir(), "mt-bench-stub-"));
  try {
    reportBuild(section, built, minified);

    const { modules, packages, total } = biggestModules(built.metafile);
    section.text(
      `The Worker as \`wrangler deploy --dry-run --outdir\` writes it (what \`wrangler deploy\` uploads; wrangler printed: ` +
        `\`${built.wranglerLine ?? "no size line"}\`), gzipped here at level 9, source maps aside. The biggest modules and packages, ` +
        `by the bytes each adds to the ${(total / KiB).toFixed(0)} KiB output (esbuild's metafile):`,
    );
    section.table(
      ["module", "KiB in the bundle", "share"],
      modules.slice(0, 10).map(([path, bytes]) => [path, bytes / KiB, `${((bytes / total) * 100).toFixed(1)}%`]),
    );
    section.table(
      ["package (or our directory)", "KiB in the bundle", "share"],
      packages.slice(0, 10).map(([name, bytes]) => [name, bytes / KiB, `${((bytes / total) * 100).toFixed(1)}%`]),
    );

    const web = webAssets();
    const webGzip = web.reduce((a, f) => a + f.gzip, 0);
    section.figure("bundle.web.gzip", webGzip / KiB, "KiB", { note: "dist/web, source maps aside" });
    section.figure("bundle.web.raw", web.reduce((a, f) => a + f.raw, 0) / KiB, "KiB");
    section.table(
      ["web asset", "raw KiB", "gzip KiB"],
      web.map((f) => [f.name, f.raw / KiB, f.gzip / KiB]),
    );

    // Cold starts, ours and the stub's alternating (the machine's load drifts alike for both).
    const runs = ctx.quick ? 3 : 7;
    const stubPath = join(stubDir, "stub.js");
    writeFileSync(stubPath, STUB);
    const scriptPath = join(built.dir, "out", "api.js");
    await coldStart(stubPath, stubDir); // warms the disk cache and Miniflare's own modules
    const ours: number[] = [];
    const stub: number[] = [];
    for (let i = 0; i < runs; i++) {
      const a = await coldStart(scriptPath, join(built.dir, "out"));
      if (a.status !== 404) throw new Error(`bundle: the first request answered ${a.status}, not 404`);
      ours.push(a.ms);
      stub.push((await coldStart(stubPath, stubDir)).ms);
    }
    const p50 = percentile(ours, 50);
    const stubP50 = percentile(stub, 50);
    section.figure("startup.cold.p50", p50, "ms", { note: `a fresh workerd until the first answer, ${runs} runs` });
    section.figure("startup.cold.stub.p50", stubP50, "ms", { note: "the same with a stub module" });
    section.figure("startup.cold.ours.p50", p50 - stubP50, "ms", { note: "the difference: our module's compile, top level and one request" });
    section.table(
      ["run", ...ours.map((_, i) => String(i + 1))],
      [
        ["our bundle (ms)", ...ours],
        ["stub module (ms)", ...stub],
      ],
    );

    const profile = checkStartup(built.dir);
    if (profile) {
      section.figure("startup.toplevel.active", profile.activeMs, "ms", {
        note: `wrangler check startup: CPU in the module's top level (${profile.gcMs.toFixed(0)} ms of it garbage collection)`,
      });
      section.table(
        ["heaviest at startup (self time)", "ms"],
        profile.top.map(([name, ms]) => [relative(process.cwd(), name) || name, ms]),
      );
    }
    section.text(
      [
        `Cold start: from \`new Miniflare\` (spawning workerd, its configuration with every binding of wrangler.toml, ` +
          `compiling and evaluating the module) until the answer to one request for a path no route has (the app's router and ` +
          `middleware, a 404, no database); p50 of ${runs}, ours and a stub module exporting the same classes alternating, ` +
          `so the difference is our module's own cost.`,
        `\`wrangler check startup\` profiles the module's top level in workerd (the phase Cloudflare limits at deploy: ` +
          `1 s of startup CPU), sampled by wall clock: on a busy machine it counts time the thread waited for a core. ` +
          `The top level builds the API's route and schema objects (zod, the OpenAPI registry).`,
      ].join("\n\n"),
    );
  } finally {
    rmSync(built.dir, { recursive: true, force: true });
    if (minified) rmSync(minified.dir, { recursive: true, force: true });
    rmSync(stubDir, { recursive: true, force: true });
  }
}

export const bundleBench: StandaloneBench = { name: "bundle", run: runBundleBench };
