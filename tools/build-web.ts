/**
 * Builds the web client (src/web) into dist/web, the Worker's static assets (wrangler.toml
 * `[assets]`): one minified ES module bundle (app.js), the CSS its pages import (app.css), the
 * base stylesheet and index.html. Wrangler runs it
 * (wrangler.toml `[build]`) before `wrangler dev`, on every change under src/web, and before
 * `wrangler deploy`. Prints the bundle's size, raw and gzipped.
 *
 * `tsx tools/build-web.ts`
 */
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const WEB_OUT_DIR = join(root, "dist", "web");

const options: esbuild.BuildOptions = {
  entryPoints: [join(root, "src/web/main.tsx")],
  outfile: join(WEB_OUT_DIR, "app.js"),
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: "linked",
  jsx: "automatic",
  jsxImportSource: "hono/jsx/dom",
  legalComments: "none",
  logLevel: "warning",
};

/** Bytes of what a page load fetches (JS and CSS; index.html aside), raw and gzipped. */
export function bundleSize(): { raw: number; gzip: number } {
  let raw = 0;
  let gzip = 0;
  for (const file of ["app.js", "app.css", "styles.css"]) {
    const bytes = readFileSync(join(WEB_OUT_DIR, file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip };
}

export async function buildWeb(): Promise<{ raw: number; gzip: number }> {
  mkdirSync(WEB_OUT_DIR, { recursive: true });
  cpSync(join(root, "src/web/public"), WEB_OUT_DIR, { recursive: true });
  await esbuild.build(options);
  return bundleSize();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { raw, gzip } = await buildWeb();
  console.log(`[web] built dist/web: app.js + app.css + styles.css ${(raw / 1024).toFixed(1)} KiB, ${(gzip / 1024).toFixed(1)} KiB gzipped`);
}
