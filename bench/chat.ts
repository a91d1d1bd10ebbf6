/**
 * Chat throughput and fan-out in local workerd (Miniflare), through the real Worker and one
 * ChatRoom Durable Object: 100 members of one room each hold a socket.
 *
 * 1. Ingest: `senders` sockets send as fast as their acks come back (a window of messages in
 *    flight each); messages acknowledged per second.
 * 2. Fan-out: messages sent at a steady rate; for each, the time from the send until each of the
 *    other 99 sockets has it (the client and the room share one machine: one clock). p50 and p99
 *    over every delivery.
 * 3. The outbox: how long after the last ack Postgres has every message.
 *
 * The per-connection rate limit (abuse control, 5 a second) would cap a 100-socket room far below
 * what the object can ingest, so the Worker runs here with it raised (CHAT_RATE_BURST and
 * CHAT_RATE_PER_SECOND): what is measured is the room, not the limit.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neon } from "@neondatabase/serverless";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { WebSocket } from "ws";
import { issueAccessToken } from "../src/lib/access-tokens";
import { freePort } from "../tools/lib/net";
import type { StandaloneBench } from "./context";
import { benchDatabase, percentile } from "./lib";

const MEMBERS = Number(process.env.BENCH_CHAT_MEMBERS ?? 100);
const JWT_SECRET = "bench-jwt-secret-0123456789abcdef0123456789";

interface Frame {
  type: string;
  clientId?: string;
  id?: number;
  code?: string;
  message?: { id: number; text: string; clientId: string | null };
}

/**
 * The Worker in local workerd through Miniflare, configured from wrangler.toml as `wrangler dev`
 * configures it, but without wrangler dev's proxy in front (its extra hop would be measured too):
 * the bundle is what `wrangler deploy` uploads.
 */
async function startWorker(databaseUrl: string, fetchEndpoint: string) {
  const outdir = mkdtempSync(join(tmpdir(), "mt-bench-chat-"));
  const bundled = spawnSync("wrangler", ["deploy", "--dry-run", "--outdir", outdir], {
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (bundled.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${bundled.stdout}${bundled.stderr}`);
  const secrets = { DATABASE_URL: databaseUrl, JWT_SECRET, ENCRYPTION_KEY: "bench-encryption-key-0123456789abcdef012345", EMAIL_API_KEY: "" };
  Object.assign(process.env, secrets);
  // Module rules are for wrangler's own bundling; the bundle here is already built.
  const { modulesRules: _rules, ...workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml").workerOptions;
  const port = await freePort();
  const mf = new Miniflare(convertV4MiniflareOptions({
    ...workerOptions,
    host: "127.0.0.1",
    port,
    modules: true,
    scriptPath: join(outdir, "api.js"),
    modulesRoot: outdir,
    durableObjectsPersist: false,
    bindings: {
      ...(workerOptions.bindings ?? {}),
      APP_ENV: "development",
      LOG_LEVEL: "warn",
      NEON_FETCH_ENDPOINT: fetchEndpoint,
      CHAT_RATE_BURST: "100000",
      CHAT_RATE_PER_SECOND: "100000",
      ...secrets,
    },
  }));
  const url = await mf.ready;
  const base = url.origin;
  const health = await fetch(`${base}/health`);
  if (!health.ok) throw new Error(`the Worker is not healthy: ${health.status} ${await health.text()}`);
  return {
    base,
    async stop() {
      await mf.dispose();
      rmSync(outdir, { recursive: true, force: true });
    },
  };
}

/**
 * A socket (the `ws` package: Node's built-in client costs several times more CPU a frame, and
 * the client shares this machine's two cores with workerd) that parses frames and hands them to
 * `onFrame`; resolves once the room says `ready`.
 */
function connect(url: string, onFrame: (frame: Frame, at: number) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // No permessage-deflate: each socket's frames would be deflated one by one on both sides
    // (measured: a sixth of the throughput), which would be the client's cost, not the room's.
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
    ws.on("message", (data: Buffer) => {
      const at = performance.now();
      const frame = JSON.parse(data.toString("utf8")) as Frame;
      if (frame.type === "ready") resolve(ws);
      onFrame(frame, at);
    });
    ws.on("error", () => reject(new Error("socket error")));
    ws.on("close", (code, reason) => reject(new Error(`closed ${code} ${String(reason)}`)));
  });
}

export async function chatBenchStandalone(options: { messages?: number; senders?: number; rate?: number } = {}): Promise<void> {
  const total = options.messages ?? 5000;
  const senders = options.senders ?? 10;
  const rate = options.rate ?? Number(process.env.BENCH_CHAT_RATE ?? 1000);
  const db = await benchDatabase("chat");
  const sql = neon(db.databaseUrl);
  const worker = await startWorker(db.databaseUrl, db.fetchEndpoint);
  const sockets: WebSocket[] = [];
  try {
    console.log(`chat: ${MEMBERS} sockets in one room, local workerd (Miniflare), outbox to ${db.engine}`);
    await sql.query(`INSERT INTO users (email, username, password, name)
      SELECT 'bench' || i || '@chat.test', 'bench_chat_' || i, 'x', 'Dancer ' || i FROM generate_series(1, ${MEMBERS}) i`);
    const users = (await sql.query("SELECT id, role FROM users ORDER BY id")) as { id: number; role: string }[];
    const [room] = (await sql.query(
      `INSERT INTO chat_rooms (type, name, created_by, member_count) VALUES ('group', 'Bench', $1, $2) RETURNING id`,
      [users[0]!.id, MEMBERS],
    )) as { id: number }[];
    await sql.query(
      `INSERT INTO chat_room_users (chat_room_id, user_id, role) SELECT $1, id, CASE WHEN id = $2 THEN 'admin' ELSE 'member' END FROM users`,
      [room!.id, users[0]!.id],
    );
    const sessions = (await sql.query(
      `INSERT INTO sessions (user_id, expires_at) SELECT id, now() + interval '1 day' FROM users ORDER BY id RETURNING id, user_id`,
    )) as { id: string; user_id: number }[];
    const tokens = await Promise.all(
      users.map((user) =>
        issueAccessToken(JWT_SECRET, {
          userId: user.id,
          role: user.role,
          level: 1,
          sessionId: sessions.find((s) => s.user_id === user.id)!.id,
        }),
      ),
    );

    // What each socket saw: acks by clientId (for the sender), deliveries by clientId (latency).
    const sentAt = new Map<string, number>();
    const acked = new Map<string, number>();
    const latencies: number[] = [];
    let deliveries = 0;
    let errors = 0;
    const ackWaiters = new Map<string, () => void>();
    const wsUrl = (token: string) => `${worker.base.replace("http", "ws")}/api/chat/rooms/${room!.id}/ws?token=${token}`;
    const opened = performance.now();
    for (const token of tokens) {
      sockets.push(
        await connect(wsUrl(token), (frame, at) => {
          if (frame.type === "ack" && frame.clientId) {
            acked.set(frame.clientId, at);
            ackWaiters.get(frame.clientId)?.();
          } else if (frame.type === "message" && frame.message?.clientId) {
            deliveries += 1;
            const sent = sentAt.get(frame.message.clientId);
            if (sent !== undefined) latencies.push(at - sent);
          } else if (frame.type === "error") {
            errors += 1;
          }
        }),
      );
    }
    console.log(`  ${MEMBERS} sockets open and ready in ${((performance.now() - opened) / 1000).toFixed(1)} s`);

    // 1. Ingest: each sender keeps `window` messages in flight.
    const window = 20;
    const perSender = Math.floor(total / senders);
    const send = (ws: WebSocket, clientId: string) =>
      new Promise<void>((resolve) => {
        ackWaiters.set(clientId, () => {
          ackWaiters.delete(clientId);
          resolve();
        });
        sentAt.set(clientId, performance.now());
        ws.send(JSON.stringify({ type: "send", clientId, text: `milonga ${clientId}` }));
      });
    const ingestStarted = performance.now();
    await Promise.all(
      sockets.slice(0, senders).map(async (ws, s) => {
        let next = 0;
        await Promise.all(
          Array.from({ length: window }, async () => {
            while (next < perSender) {
              const n = next++;
              await send(ws, `ingest-${s}-${n}`);
            }
          }),
        );
      }),
    );
    const ingestSeconds = (performance.now() - ingestStarted) / 1000;
    const ingested = perSender * senders;
    const ackTimes = [...acked.entries()].filter(([id]) => id.startsWith("ingest-")).map(([id, at]) => at - sentAt.get(id)!);
    console.log(
      `  ingest: ${ingested} messages from ${senders} sockets in ${ingestSeconds.toFixed(2)} s = ${(ingested / ingestSeconds).toFixed(0)} msg/s` +
        ` (target >= 1000); ack p50 ${percentile(ackTimes, 50).toFixed(1)} ms, p99 ${percentile(ackTimes, 99).toFixed(1)} ms`,
    );

    // 2. Fan-out at a steady rate: every delivery's latency, over 99 receivers.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    latencies.length = 0;
    const before = deliveries;
    const steady = Math.min(total, rate * 3);
    const interval = 1000 / rate;
    const steadyStarted = performance.now();
    const pending: Promise<void>[] = [];
    for (let n = 0; n < steady; n++) {
      const due = steadyStarted + n * interval;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(send(sockets[n % senders]!, `steady-${n}`));
    }
    await Promise.all(pending);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const expected = steady * (MEMBERS - 1);
    console.log(
      `  fan-out at ${rate} msg/s for ${(steady / rate).toFixed(0)} s: ${deliveries - before}/${expected} deliveries,` +
        ` p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms (target p99 <= 50 ms)`,
    );

    // 3. The outbox: every acknowledged message in Postgres.
    const flushStarted = performance.now();
    const all = ingested + steady;
    let stored = 0;
    for (let i = 0; i < 600; i++) {
      const [row] = (await sql.query("SELECT count(*)::int AS n FROM chat_messages WHERE chat_room_id = $1", [room!.id])) as { n: number }[];
      stored = row!.n;
      if (stored >= all) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.log(`  outbox: ${stored}/${all} messages in Postgres ${((performance.now() - flushStarted) / 1000).toFixed(1)} s after the last ack; error frames: ${errors}`);
  } finally {
    for (const ws of sockets) ws.close();
    await worker.stop();
    await db.close();
  }
}

export const chatBench: StandaloneBench = { name: "chat", run: () => chatBenchStandalone() };
