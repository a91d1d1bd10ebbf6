/**
 * `npm run dev`: the API on an embedded database, in one command.
 *
 * Starts the local Neon endpoint (PGlite persisted under DATA_DIR, default .data/; or the
 * PostgreSQL in DATABASE_URL), applies migrations, then `wrangler dev` on PORT (default
 * 8787) pointed at it; wrangler builds the web app first (wrangler.toml `[build]`) and serves
 * it at `/`. With DATABASE_URL naming Neon, wrangler talks to Neon directly.
 * Ctrl-C stops everything.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { advertiseEndpoint, dataDir, openDatabase } from "./lib/database";
import { devSecrets } from "./lib/dev-secrets";
import { migrate } from "./lib/migrate";

const started = Date.now();
const port = Number(process.env.PORT ?? 8787);
mkdirSync(dataDir(), { recursive: true });

const target = await openDatabase({ log: process.env.DB_LOG ? (line) => console.log(`[db] ${line}`) : undefined });
console.log(`[dev] database: ${target.describe}`);
const { applied } = await migrate({ ...target, log: (line) => console.log(`[dev] ${line}`) });
console.log(`[dev] migrations: ${applied.length ? `applied ${applied.length}` : "up to date"}`);
const unadvertise = target.endpointUrl ? advertiseEndpoint(target.endpointUrl, target.databaseUrl) : () => undefined;

const vars = {
  APP_ENV: "development",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
  NEON_FETCH_ENDPOINT: target.fetchEndpoint ?? "",
  // Upload URLs point at this dev server (wrangler.toml's empty value means APP_URL). Named
  // media.localhost, which browsers resolve to this machine: the URL fields that store uploads
  // (HttpUrl: a domain name) refuse an IP address or a bare `localhost`, so a post could not
  // keep a photo uploaded in dev.
  MEDIA_PUBLIC_URL: process.env.MEDIA_PUBLIC_URL ?? `http://media.localhost:${port}`,
  // Workers AI has no local mode (its binding always calls Cloudflare, and `--local` below
  // leaves it out): the assistants answer 503 ai_unavailable unless an OpenAI-compatible
  // endpoint is given (AI_PROVIDER=openai AI_BASE_URL=... AI_MODEL=... [AI_API_KEY=...]).
  AI_PROVIDER: process.env.AI_PROVIDER ?? "none",
  ...Object.fromEntries(
    (["AI_BASE_URL", "AI_MODEL", "AI_API_KEY", "AI_TIMEOUT_SECONDS"] as const).flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
  ),
};
// .dev.vars (e.g. EMAIL_API_URL and EMAIL_API_KEY, to send through a real or fake email API)
// is read as an env file, so the database URL and secrets set here still reach the Worker
// (given .dev.vars alone, wrangler would ignore the environment). EMAIL_API_KEY is declared
// in wrangler.toml's [secrets]; without one, it is empty and emails are logged.
const devVars = existsSync(".dev.vars") ? readFileSync(".dev.vars", "utf8") : "";
const emailKey = process.env.EMAIL_API_KEY ?? (/^\s*EMAIL_API_KEY\s*=/m.test(devVars) ? undefined : "");
// Likewise the deployment webhook's secret: empty, the webhook answers 503.
const webhookSecret = process.env.DEPLOY_WEBHOOK_SECRET ?? (/^\s*DEPLOY_WEBHOOK_SECRET\s*=/m.test(devVars) ? undefined : "");
const wrangler = spawn(
  "wrangler",
  [
    "dev",
    // Remote bindings off: everything runs on this machine, offline.
    "--local",
    ...(devVars ? ["--env-file", ".dev.vars"] : []),
    "--port",
    String(port),
    "--ip",
    process.env.HOST ?? "127.0.0.1",
    "--persist-to",
    `${dataDir()}/wrangler`,
    "--show-interactive-dev-session=false",
    ...Object.entries(vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
  ],
  {
    stdio: ["inherit", "pipe", "inherit"],
    env: {
      ...process.env,
      // Secrets reach wrangler dev through its environment, not the command line.
      DATABASE_URL: target.databaseUrl,
      ...devSecrets(),
      ...(emailKey === undefined ? {} : { EMAIL_API_KEY: emailKey }),
      ...(webhookSecret === undefined ? {} : { DEPLOY_WEBHOOK_SECRET: webhookSecret }),
      // Offline-friendly: no download of the Request.cf sample, no telemetry.
      CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? "false",
      WRANGLER_SEND_METRICS: process.env.WRANGLER_SEND_METRICS ?? "false",
    },
  },
);

let ready = false;
wrangler.stdout.on("data", (chunk: Buffer) => {
  process.stdout.write(chunk);
  if (!ready && chunk.toString().includes("Ready on")) {
    ready = true;
    console.log(`[dev] API ready on http://127.0.0.1:${port} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    console.log(`[dev] web app: http://127.0.0.1:${port}/  docs: http://127.0.0.1:${port}/docs`);
  }
});

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  unadvertise();
  if (wrangler.exitCode === null) wrangler.kill("SIGINT");
  await target.close();
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
wrangler.on("exit", (code) => void stop(code ?? 0));
