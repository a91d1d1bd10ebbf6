/**
 * What a service function sends to the database, and how the database ran it: `capture` records
 * the statements (text and parameters, as the driver sends them to the local Neon endpoint) while
 * a verb runs; `explain` runs each again under EXPLAIN (ANALYZE, FORMAT JSON) and says which
 * indexes the executed part of the plan read and which tables it read whole.
 *
 * The statements are the driver's own request bodies, so the plan checked is the one of the SQL
 * the API runs, never a copy of it. EXPLAIN ANALYZE executes the statement: for a write, the
 * caller explains the write and then its undo (an RSVP, then its withdrawal).
 */
import { neon, neonConfig } from "@neondatabase/serverless";

export interface Statement {
  query: string;
  params: unknown[];
  /** The request it was sent in: statements of one batch share it (one transaction). */
  request: number;
}

let recording: Statement[] | null = null;
let installed = false;

/** Wraps the driver's fetch once per process: it records request bodies only while `capture` runs. */
function install(): void {
  if (installed) return;
  installed = true;
  const previous = neonConfig.fetchFunction as typeof fetch | undefined;
  neonConfig.fetchFunction = ((url: string, init?: RequestInit) => {
    if (recording && typeof init?.body === "string") {
      // One statement ({query, params}) or a batch, one transaction ({queries: [...]}).
      const body = JSON.parse(init.body) as Omit<Statement, "request"> | { queries: Omit<Statement, "request">[] };
      const request = (recording.at(-1)?.request ?? -1) + 1;
      recording.push(...("queries" in body ? body.queries : [body]).map((q) => ({ ...q, request })));
    }
    return (previous ?? fetch)(url, init);
  }) as typeof fetch;
}

/** Runs `work` once and gives the statements it sent, in order, with what it answered. */
export async function capture<T>(work: () => Promise<T>): Promise<{ result: T; statements: Statement[] }> {
  install();
  const statements: Statement[] = [];
  recording = statements;
  try {
    return { result: await work(), statements };
  } finally {
    recording = null;
  }
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Function Name"?: string;
  "Actual Loops"?: number;
  "Actual Rows"?: number;
  Plans?: PlanNode[];
}

export interface PlanSummary {
  /** Planning and execution time in the database (ms), summed over the statements. */
  planningMs: number;
  executionMs: number;
  /** Of the execution time, what JIT compilation took (ms; 0 when the planner did not compile). */
  jitMs: number;
  /** Indexes read by the executed part of the plans (never-executed branches left out), with their loops. */
  indexes: string[];
  /** Tables read by a Seq Scan, with their size (rows, from the statistics), and whether the table is big. */
  seqScans: { table: string; rows: number; big: boolean }[];
  /** Set-returning functions the plans call (their own statements do not show in the plan). */
  functions: string[];
  statements: number;
}

/** A table at or above this many rows is "big": a Seq Scan on it is flagged. */
export const BIG_TABLE_ROWS = 10_000;

/** Rows per table of the public schema, from the planner's statistics (the world is analyzed after generation). */
export async function tableSizes(databaseUrl: string): Promise<Map<string, number>> {
  const rows = (await neon(databaseUrl).query(
    `SELECT c.relname AS name, greatest(c.reltuples, 0)::bigint AS rows FROM pg_class c
     WHERE c.relkind IN ('r', 'p') AND c.relnamespace = 'public'::regnamespace`,
  )) as { name: string; rows: string }[];
  return new Map(rows.map((r) => [r.name, Number(r.rows)]));
}

/** EXPLAIN (ANALYZE, FORMAT JSON) of each statement, summed up. Executes them: see the file's note on writes. */
export async function explain(databaseUrl: string, statements: Statement[], sizes: Map<string, number>): Promise<PlanSummary> {
  const client = neon(databaseUrl);
  const summary: PlanSummary = { planningMs: 0, executionMs: 0, jitMs: 0, indexes: [], seqScans: [], functions: [], statements: statements.filter((s) => !/^\s*SET\s/i.test(s.query)).length };
  const loops = new Map<string, number>();
  const seq = new Map<string, number>();
  const functions = new Set<string>();
  const walk = (node: PlanNode) => {
    if (node["Actual Loops"] === 0) return;
    const index = node["Index Name"];
    if (index) loops.set(index, (loops.get(index) ?? 0) + (node["Actual Loops"] ?? 0));
    if (node["Node Type"] === "Seq Scan" && node["Relation Name"]) seq.set(node["Relation Name"], sizes.get(node["Relation Name"]) ?? 0);
    if (node["Node Type"] === "Function Scan" && node["Function Name"]) functions.add(node["Function Name"]);
    node.Plans?.forEach(walk);
  };
  type Explained = { "QUERY PLAN": [{ Plan: PlanNode; "Planning Time": number; "Execution Time": number; JIT?: { Timing?: { Total?: number } } }] | string };
  // Each request's statements explained as they ran: a batch in one transaction, its SET LOCALs run as they are.
  const results: Explained[][] = [];
  for (const request of new Set(statements.map((s) => s.request))) {
    const batch = statements.filter((s) => s.request === request);
    const isSetting = (s: Statement) => /^\s*SET\s/i.test(s.query);
    const answers = (await client.transaction(
      batch.map((s) => (isSetting(s) ? client.query(s.query, s.params) : client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${s.query}`, s.params))),
    )) as Explained[][];
    results.push(...answers.filter((_, i) => !isSetting(batch[i]!)));
  }
  for (const rows of results) {
    const raw = rows[0]!["QUERY PLAN"];
    // PGlite's endpoint may hand the json column back as text.
    type Top = { Plan: PlanNode; "Planning Time": number; "Execution Time": number; JIT?: { Timing?: { Total?: number } } };
    const top = (typeof raw === "string" ? (JSON.parse(raw) as Top[]) : raw)[0]!;
    summary.planningMs += top["Planning Time"];
    summary.executionMs += top["Execution Time"];
    summary.jitMs += top.JIT?.Timing?.Total ?? 0;
    walk(top.Plan);
  }
  summary.indexes = [...loops].map(([name, n]) => (n > 1 ? `${name} x${n}` : name));
  summary.seqScans = [...seq].map(([table, rows]) => ({ table, rows, big: rows >= BIG_TABLE_ROWS }));
  summary.functions = [...functions];
  return summary;
}

/** The time in the database as a table cell: planning + execution, and the JIT compilation within the execution when there was one. */
export function describeTime(plan: PlanSummary): string {
  const jit = plan.jitMs > 0 ? `; JIT ${plan.jitMs.toFixed(1)}` : "";
  return `${(plan.planningMs + plan.executionMs).toFixed(2)} (${plan.planningMs.toFixed(2)} + ${plan.executionMs.toFixed(2)}${jit})`;
}

/** The plan's index use as a table cell. */
export function describeIndexes(plan: PlanSummary): string {
  const parts = [...plan.indexes, ...plan.functions.map((f) => `${f}() (its own plans not shown)`)];
  return parts.join(", ") || "none";
}

/** The plan's Seq Scans as a table cell: big tables flagged ("SEQ SCAN"), the others by their size only (a small table is read whole by design). */
export function describeSeqScans(plan: PlanSummary): string {
  const big = plan.seqScans.filter((s) => s.big).map((s) => `SEQ SCAN ${s.table} (${s.rows} rows)`);
  const small = plan.seqScans.filter((s) => !s.big);
  const largest = Math.max(0, ...small.map((s) => s.rows));
  if (small.length) big.push(`${small.length} small table${small.length > 1 ? "s" : ""} (at most ${largest} rows)`);
  return big.join(", ") || "none";
}
