import { AsyncLocalStorage } from "node:async_hooks";
import type { NeonQueryFunction, NeonQueryPromise } from "@neondatabase/serverless";
import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";

/**
 * A query that rides along with certain statements: in the same HTTP request to Neon and the
 * same transaction, right after them, so it sees what they wrote and costs no round trip of
 * its own. It exists for side effects folded into other modules' statements (a notification
 * CTE), whose result rows belong to the caller: the rider reads what they did instead.
 */
export interface Rider {
  /** Statements whose SQL text contains this string take the rider along. */
  marker: string;
  /** Run after them, in their transaction (`now()` is theirs). */
  query: SQL;
  /** Gets the rider's rows each time it ran (once per marked statement or batch). */
  collect(rows: Record<string, unknown>[]): void;
}

const riders = new AsyncLocalStorage<Rider>();
const dialect = new PgDialect();

/**
 * Runs `work` with `rider` riding along with its marked statements (those of every `Db` made
 * by createDb, in this async scope: a request, a cron run, a Durable Object's flush). A drizzle
 * query runs when it is awaited: one built inside `work` but awaited after it is not watched.
 * An inner scope replaces the outer one.
 *
 * @example
 * await withRider({ marker: "/* mark *\/", query: sql`SELECT ...`, collect: (rows) => seen.push(...rows) }, async () => await work());
 */
export function withRider<T>(rider: Rider, work: () => T): T {
  return riders.run(rider, work);
}

type Client = NeonQueryFunction<false, false>;
type Query = NeonQueryPromise<boolean, boolean, unknown>;
type Options = Parameters<Client["query"]>[2];
/** The two calls drizzle's neon-http session makes, typed loosely enough to pass any query through. */
interface Calls {
  query(text: string, params?: unknown[], options?: Options | { arrayMode: boolean; fullResults: boolean }): Query;
  transaction(queries: Query[], options?: unknown): Promise<unknown[]>;
}
type Rows = { rows: Record<string, unknown>[] };

/**
 * The Neon client with riders: a marked statement awaited on its own runs as a transaction of
 * itself and the rider; a batch holding one gets the rider appended. Outside a rider's scope,
 * or for unmarked SQL, it is the client as it was (the same calls, the same requests).
 */
export function withRiders(client: Client): Client {
  const calls = client as unknown as Calls;
  const marked = new WeakMap<object, Rider>();
  const riderQuery = (rider: Rider) => {
    const { sql, params } = dialect.sqlToQuery(rider.query);
    return calls.query(sql, params, { arrayMode: false, fullResults: true });
  };

  const query: Calls["query"] = (text, params, options) => {
    const statement = calls.query(text, params, options);
    const rider = riders.getStore();
    if (!rider || !text.includes(rider.marker)) return statement;
    marked.set(statement, rider);
    // `then`, `catch` and `finally` all go through `execute`: awaited alone, the statement
    // becomes a two-statement transaction, one request, and answers its own result.
    statement.execute = async () => {
      const [result, ridden] = await calls.transaction([calls.query(text, params, options), riderQuery(rider)]);
      rider.collect((ridden as Rows).rows);
      return result;
    };
    return statement;
  };

  const transaction = async (queries: Query[] | ((sql: Client) => Query[]), options?: unknown) => {
    const list = typeof queries === "function" ? queries(wrapped) : queries;
    const rider = list.map((q) => marked.get(q)).find((r) => r !== undefined);
    if (!rider) return calls.transaction(list, options);
    const results = await calls.transaction([...list, riderQuery(rider)], options);
    rider.collect((results.pop() as Rows).rows);
    return results;
  };

  const wrapped = Object.assign((strings: TemplateStringsArray, ...values: unknown[]) => client(strings, ...values), client, {
    query,
    transaction,
  }) as unknown as Client;
  return wrapped;
}
