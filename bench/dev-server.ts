/**
 * One `npm run dev` shared by the HTTP benchmarks of a run (round trips, load, the hot row): on a
 * fresh DATA_DIR and a free port, with `DB_LOG=1` so the local endpoint prints one `[db] ...`
 * line per SQL request it serves. With DATABASE_URL, on a throwaway PostgreSQL database
 * (`bench_http_<pid>`, dropped at the end); else on PGlite in the fresh DATA_DIR.
 *
 * Benchmarks `acquire()` it at their start and `release()` it at their end: the server stops
 * once no benchmark holds it, unless the next one acquires it in the same turn of the event loop
 * (run.ts starts the next benchmark right after the last one resolves), so consecutive HTTP
 * benchmarks share one server.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sessions } from "../drizzle/schema";
import { issueAccessToken } from "../src/lib/access-tokens";
import { createDb, type Db } from "../src/lib/db";
import { freePort, waitFor } from "../tools/lib/net";
import { startNeonLocal } from "../tools/neon-local/server";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const JWT_SECRET = "bench-http-jwt-secret-0123456789abcdef0123456789";
const ENCRYPTION_KEY = "bench-http-encryption-key-0123456789abcdef01";

/** One line the local endpoint printed for a SQL request (`[db] <database> 1 query 1.2ms`). */
export interface DbLine {
  at: number;
  text: string;
}

/** A SQL request to the endpoint (one round trip), as opposed to its admin lines. */
const SQL_LINE = /^\S+ (1 query|batch of \d+) |^sql error /;

export interface DevServer {
  baseUrl: string;
  engine: "PostgreSQL" | "PGlite";
  /** The PostgreSQL database itself (not through the endpoint), for watching it (pg_stat_activity); undefined on PGlite. */
  postgresUrl?: string;
  /** The app's database through the dev server's own local endpoint and the production driver. */
  db: Db;
  /** Every SQL line the endpoint printed so far (round trips), in order, with when it arrived. */
  sqlLines: DbLine[];
  /** Access tokens for dancers (a session row made for each, in one statement), signed with the server's JWT secret. */
  tokens(userIds: number[]): Promise<string[]>;
  /** The server's last output, for a failure's message. */
  log(): string;
}

interface Running extends DevServer {
  stop(): Promise<void>;
}

let running: Promise<Running> | null = null;
let holders = 0;
let stopTimer: NodeJS.Immediate | null = null;

/** The shared dev server, started on first use. Pair with `release()` in a finally. */
export function acquire(): Promise<DevServer> {
  holders += 1;
  if (stopTimer) clearImmediate(stopTimer);
  stopTimer = null;
  running ??= start();
  return running;
}

export function release(): Promise<void> {
  holders -= 1;
  if (holders > 0 || !running) return Promise.resolve();
  const server = running;
  return new Promise((resolve) => {
    stopTimer = setImmediate(() => {
      stopTimer = null;
      if (holders > 0) return resolve();
      running = null;
      void server
        .then((s) => s.stop())
        .then(() => console.log("  (npm run dev stopped)"))
        .catch((error: unknown) => console.error("  npm run dev did not stop cleanly:", error instanceof Error ? error.message : error));
    });
    // Resolve at once for the caller: stopping happens in the background of the next turn.
    resolve();
  });
}


function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function start(): Promise<Running> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "mt-bench-http-"));
  const postgres = process.env.DATABASE_URL;
  const database = `bench_http_${process.pid}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    DB_LOG: "1",
    LOG_LEVEL: "warn",
    JWT_SECRET,
    ENCRYPTION_KEY,
  };
  if (postgres) {
    // A throwaway database on the same server, so the bench never writes into the CI one.
    const admin = await startNeonLocal({ port: 0, databaseUrl: postgres });
    try {
      // Left by a run that exited without stopping (process.exit on a failure): its pid is gone.
      for (const name of await admin.backend.listDatabases("bench_http_")) {
        const pid = Number(name.slice("bench_http_".length));
        if (pid === process.pid || !isRunning(pid)) await admin.backend.dropDatabase(name);
      }
      await admin.backend.createDatabase(database);
    } finally {
      await admin.close();
    }
    const url = new URL(postgres);
    url.pathname = `/${database}`;
    env.DATABASE_URL = url.toString();
  } else {
    delete env.DATABASE_URL;
  }

  const child: ChildProcess = spawn("npm", ["run", "dev"], { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const sqlLines: DbLine[] = [];
  let partial = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    const at = performance.now();
    const text = partial + chunk.toString();
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (line.startsWith("[db] ")) {
        const rest = line.slice(5);
        if (SQL_LINE.test(rest)) sqlLines.push({ at, text: rest });
      } else {
        output = (output + line + "\n").slice(-20_000);
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  });
  // Whatever happens to this process, the server's process group goes with it.
  const killOnExit = () => {
    try {
      if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  };
  process.once("exit", killOnExit);

  const stop = async () => {
    process.off("exit", killOnExit);
    if (child.pid && child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
    rmSync(dataDir, { recursive: true, force: true });
    if (postgres) {
      const admin = await startNeonLocal({ port: 0, databaseUrl: postgres });
      try {
        await admin.backend.dropDatabase(database);
      } finally {
        await admin.close();
      }
    }
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      "npm run dev to serve /health",
      async () => {
        if (child.exitCode !== null) throw new Error("npm run dev exited");
        const res = await fetch(`${baseUrl}/health`);
        return res.ok && ((await res.json()) as { db?: string }).db === "ok" ? true : undefined;
      },
      240_000,
    );
  } catch (error) {
    await stop();
    throw new Error(`${error instanceof Error ? error.message : "npm run dev failed"}\n--- npm run dev output ---\n${output}`, { cause: error });
  }
  // The endpoint npm run dev advertises (tools/lib/database.ts), for data set-up through the driver.
  const advertised = JSON.parse(readFileSync(join(dataDir, "neon-local.json"), "utf8")) as { url: string; databaseUrl: string };
  const db = createDb({ databaseUrl: advertised.databaseUrl, fetchEndpoint: `${advertised.url}/sql` });
  return {
    baseUrl,
    engine: postgres ? "PostgreSQL" : "PGlite",
    postgresUrl: postgres ? env.DATABASE_URL : undefined,
    db,
    sqlLines,
    async tokens(userIds) {
      if (!userIds.length) return [];
      const expiresAt = new Date(Date.now() + 86_400_000);
      const made = await db
        .insert(sessions)
        .values(userIds.map((userId) => ({ userId, expiresAt })))
        .returning({ id: sessions.id, userId: sessions.userId });
      const byUser = new Map(made.map((s) => [s.userId, s.id]));
      return Promise.all(userIds.map((userId) => issueAccessToken(JWT_SECRET, { userId, role: "user", level: 1, sessionId: byUser.get(userId)! })));
    },
    log: () => output,
    stop,
  };
}
