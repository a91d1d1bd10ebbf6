import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { PGlite, protocol } from "@electric-sql/pglite";
import { btree_gin } from "@electric-sql/pglite/contrib/btree_gin";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import { citext } from "@electric-sql/pglite/contrib/citext";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import { type Backend, Mutex } from "./backend";
import {
  type BatchOptions,
  type FieldDescription,
  parseCommandTag,
  type QueryRequest,
  type RawResult,
  SESSION_RESET,
  SqlError,
  beginStatement,
} from "./protocol";

/** The contrib extensions migrations/0000_extensions.sql creates (all trusted, all on Neon). */
const extensions = { btree_gin, btree_gist, citext, pg_trgm, unaccent };

interface Instance {
  pg: PGlite;
  /** PGlite is one session: a batch must not interleave with other requests. */
  mutex: Mutex;
}

type Message = { name: string } & Record<string, unknown>;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * PGlite (Postgres in WASM) as a backend: one in-process instance per database,
 * in memory, or persisted under `dataDir/<database>`.
 *
 * Statements go through the extended wire protocol (parse, bind, describe, execute),
 * as Neon runs them, so values come back in Postgres's text format untouched and
 * one query string holds exactly one statement.
 */
export class PGliteBackend implements Backend {
  readonly kind = "pglite";
  private readonly instances = new Map<string, Promise<Instance>>();

  constructor(private readonly dataDir?: string) {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
  }

  private pathOf(name: string): string | undefined {
    return this.dataDir ? join(this.dataDir, name) : undefined;
  }

  private async open(options: { dataDir?: string; loadDataDir?: Blob }): Promise<Instance> {
    const pg = await PGlite.create({ ...options, extensions });
    await pg.exec("SET TimeZone = 'UTC'");
    return { pg, mutex: new Mutex() };
  }

  private instance(name: string): Promise<Instance> {
    const existing = this.instances.get(name);
    if (existing) return existing;
    const path = this.pathOf(name);
    if (path && existsSync(path)) {
      const opened = this.open({ dataDir: path });
      this.instances.set(name, opened);
      return opened;
    }
    return Promise.reject(
      new SqlError({ message: `database "${name}" does not exist`, code: "3D000", severity: "FATAL" }),
    );
  }

  hasDatabase(name: string): Promise<boolean> {
    const path = this.pathOf(name);
    return Promise.resolve(this.instances.has(name) || (path !== undefined && existsSync(path)));
  }

  async createDatabase(name: string, template?: string): Promise<void> {
    if (await this.hasDatabase(name)) {
      throw new SqlError({ message: `database "${name}" already exists`, code: "42P04" });
    }
    const created = (async () => {
      const path = this.pathOf(name);
      if (!template) return this.open({ dataDir: path });
      const source = await this.instance(template);
      return source.mutex.run(async () => {
        if (!path) {
          const pg = (await source.pg.clone()) as PGlite;
          await pg.exec("SET TimeZone = 'UTC'");
          return { pg, mutex: new Mutex() };
        }
        const dump = await source.pg.dumpDataDir("none");
        return this.open({ dataDir: path, loadDataDir: dump });
      });
    })();
    this.instances.set(name, created);
    try {
      await created;
    } catch (error) {
      this.instances.delete(name);
      throw error;
    }
  }

  listDatabases(prefix: string): Promise<string[]> {
    const names = new Set(this.instances.keys());
    if (this.dataDir) {
      for (const entry of readdirSync(this.dataDir, { withFileTypes: true })) {
        if (entry.isDirectory()) names.add(entry.name);
      }
    }
    return Promise.resolve([...names].filter((name) => name.startsWith(prefix)).sort());
  }

  async dropDatabase(name: string): Promise<void> {
    const instance = this.instances.get(name);
    this.instances.delete(name);
    if (instance) await (await instance).pg.close();
    const path = this.pathOf(name);
    if (path) rmSync(path, { recursive: true, force: true });
  }

  async run(
    database: string,
    queries: QueryRequest[],
    batch: BatchOptions | null,
    accept?: (result: RawResult, index: number) => void,
  ): Promise<RawResult[]> {
    const instance = await this.instance(database);
    return instance.mutex.run(async () => {
      try {
        if (!batch) {
          const result = await this.execute(instance.pg, queries[0] ?? { query: "", params: [] });
          accept?.(result, 0);
          return [result];
        }
        await this.execute(instance.pg, { query: beginStatement(batch), params: [] });
        const results: RawResult[] = [];
        for (const [index, query] of queries.entries()) {
          const result = await this.execute(instance.pg, query);
          accept?.(result, index);
          results.push(result);
        }
        await this.execute(instance.pg, { query: "COMMIT", params: [] });
        return results;
      } finally {
        // PGlite is one session shared by every request: reset it as Neon resets a pooled
        // connection (this also rolls back a batch that failed, or a lone BEGIN).
        await instance.pg.exec(SESSION_RESET);
      }
    });
  }

  private async execute(pg: PGlite, { query, params }: QueryRequest): Promise<RawResult> {
    const { serialize } = protocol;
    const message = concat([
      serialize.parse({ text: query }),
      serialize.bind({ values: params }),
      serialize.describe({ type: "P" }),
      serialize.execute({}),
      serialize.sync(),
    ]);
    const { messages } = await pg.execProtocol(message, { throwOnError: false });
    let fields: FieldDescription[] = [];
    const rows: (string | null)[][] = [];
    let tag = "";
    for (const m of messages as unknown as Message[]) {
      if (m.name === "error") throw SqlError.from(m);
      if (m.name === "rowDescription") {
        fields = (m.fields as FieldDescription[]).map((f) => ({
          name: f.name,
          tableID: f.tableID,
          columnID: f.columnID,
          dataTypeID: f.dataTypeID,
          dataTypeSize: f.dataTypeSize,
          dataTypeModifier: f.dataTypeModifier,
          format: "text",
        }));
      } else if (m.name === "dataRow") {
        rows.push(m.fields as (string | null)[]);
      } else if (m.name === "commandComplete") {
        tag = m.text as string;
      }
    }
    return { fields, rows, ...parseCommandTag(tag) };
  }

  async close(): Promise<void> {
    const all = [...this.instances.values()];
    this.instances.clear();
    await Promise.all(all.map(async (instance) => (await instance).pg.close().catch(() => undefined)));
  }
}
