import type { BatchOptions, QueryRequest, RawResult } from "./protocol";

/**
 * A database engine behind the local endpoint. Each named database is separate:
 * tests get a fresh copy of a migrated template per file.
 */
export interface Backend {
  readonly kind: "pglite" | "postgres";
  /**
   * Runs one statement on its own (`batch` null), or several as one transaction that is
   * rolled back whole when any statement fails. `accept` sees each statement's result as
   * it completes and may throw (a response over the size limit): a batch then rolls back.
   * Whatever happens, the session is reset afterwards (`SESSION_RESET` in protocol.ts), as Neon's
   * pooler does, so nothing a request sets up is seen by the next one.
   */
  run(
    database: string,
    queries: QueryRequest[],
    batch: BatchOptions | null,
    accept?: (result: RawResult, index: number) => void,
  ): Promise<RawResult[]>;
  hasDatabase(name: string): Promise<boolean>;
  /** Creates an empty database, or a copy of `template`. Fails if `name` exists. */
  createDatabase(name: string, template?: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  /** Database names starting with `prefix`. */
  listDatabases(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

/** Runs tasks one at a time, in arrival order. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
