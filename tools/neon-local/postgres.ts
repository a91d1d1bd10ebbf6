import pg from "pg";
import { type Backend, quoteIdentifier } from "./backend";
import {
  type BatchOptions,
  type FieldDescription,
  type QueryRequest,
  type RawResult,
  HttpError,
  SESSION_RESET,
  SqlError,
  beginStatement,
} from "./protocol";

/** Every value stays in Postgres's text format: parsing is the Neon driver's job. */
const rawText = { getTypeParser: () => (value: string) => value };

/**
 * A real PostgreSQL server as a backend: one pool per database, on the server that
 * `serverUrl` names (its role needs CREATEDB for per-test databases).
 */
export class PostgresBackend implements Backend {
  readonly kind = "postgres";
  private readonly pools = new Map<string, pg.Pool>();
  private readonly admin: pg.Pool;

  constructor(
    private readonly serverUrl: string,
    private readonly poolSize = 8,
  ) {
    this.admin = this.createPool(new URL(serverUrl).pathname.slice(1) || "postgres");
  }

  private createPool(database: string): pg.Pool {
    const url = new URL(this.serverUrl);
    url.pathname = `/${database}`;
    const pool = new pg.Pool({
      connectionString: url.toString(),
      max: this.poolSize,
      idleTimeoutMillis: 10_000,
      options: "-c TimeZone=UTC -c DateStyle=ISO,MDY -c IntervalStyle=postgres",
    });
    // An idle client's connection dropping (a database dropped under it) must not crash us.
    pool.on("error", () => undefined);
    return pool;
  }

  private pool(database: string): pg.Pool {
    let pool = this.pools.get(database);
    if (!pool) {
      pool = this.createPool(database);
      this.pools.set(database, pool);
    }
    return pool;
  }

  private async releasePool(database: string): Promise<void> {
    const pool = this.pools.get(database);
    this.pools.delete(database);
    await pool?.end();
  }

  async hasDatabase(name: string): Promise<boolean> {
    const { rowCount } = await this.admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return rowCount === 1;
  }

  async createDatabase(name: string, template?: string): Promise<void> {
    try {
      if (template) {
        // CREATE DATABASE ... TEMPLATE needs the template to have no open connections.
        await this.releasePool(template);
        await this.admin.query(`CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE ${quoteIdentifier(template)}`);
      } else {
        await this.admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
      }
    } catch (error) {
      throw SqlError.from(error);
    }
  }

  async listDatabases(prefix: string): Promise<string[]> {
    const { rows } = await this.admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname",
      [prefix],
    );
    return rows.map((row) => row.datname);
  }

  async dropDatabase(name: string): Promise<void> {
    await this.releasePool(name);
    try {
      await this.admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
    } catch (error) {
      throw SqlError.from(error);
    }
  }

  async run(
    database: string,
    queries: QueryRequest[],
    batch: BatchOptions | null,
    accept?: (result: RawResult, index: number) => void,
  ): Promise<RawResult[]> {
    let client: pg.PoolClient;
    try {
      client = await this.pool(database).connect();
    } catch (error) {
      throw SqlError.from(error);
    }
    let failure: unknown;
    try {
      if (!batch) {
        const result = await this.execute(client, queries[0] ?? { query: "", params: [] });
        accept?.(result, 0);
        return [result];
      }
      await client.query(beginStatement(batch));
      const results: RawResult[] = [];
      for (const [index, query] of queries.entries()) {
        const result = await this.execute(client, query);
        accept?.(result, index);
        results.push(result);
      }
      await client.query("COMMIT");
      return results;
    } catch (error) {
      failure = error;
      if (error instanceof SqlError || error instanceof HttpError) throw error;
      throw SqlError.from(error);
    } finally {
      // Reset the connection as Neon's pooler does before anyone else gets it (this also
      // rolls back a batch that failed, or a lone BEGIN). A connection that cannot be
      // reset, or that failed other than with a SQL error, is not reused.
      let broken = failure !== undefined && !(failure instanceof SqlError) && !(failure instanceof HttpError);
      if (!broken) broken = await client.query(SESSION_RESET).then(() => false, () => true);
      client.release(broken);
    }
  }

  private async execute(client: pg.PoolClient, { query, params }: QueryRequest): Promise<RawResult> {
    let result: pg.QueryArrayResult<(string | null)[]>;
    try {
      result = await client.query({
        text: query,
        values: params,
        rowMode: "array",
        types: rawText,
        // Neon runs every statement through the extended protocol: one statement per query.
        queryMode: "extended",
      } as pg.QueryArrayConfig);
    } catch (error) {
      throw SqlError.from(error);
    }
    const fields: FieldDescription[] = result.fields.map((f) => ({
      name: f.name,
      tableID: f.tableID,
      columnID: f.columnID,
      dataTypeID: f.dataTypeID,
      dataTypeSize: f.dataTypeSize,
      dataTypeModifier: f.dataTypeModifier,
      format: "text",
    }));
    return { fields, rows: result.rows, command: result.command, rowCount: result.rowCount };
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values(), this.admin];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)));
  }
}
