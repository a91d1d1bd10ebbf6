export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: Fields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * Turns an Error into loggable fields (stack included: logs are private, responses are not).
 * A database error is reduced to its SQLSTATE, constraint, table and column: its message,
 * detail and the wrapping query error's text can carry the statement's parameters (a password
 * hash, a token hash, an email), which never reach a log.
 *
 * @example
 * logger.error("job failed", { job: "cleanup", ...errorFields(error) });
 */
export function errorFields(error: unknown): Fields {
  const database = databaseError(error);
  if (database) return { error: database };
  if (error instanceof Error) {
    return { error: { name: error.name, message: error.message, stack: error.stack, cause: describeCause(error) } };
  }
  return { error: { message: String(error) } };
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The loggable fields of the Postgres error in `error`'s cause chain, if there is one. */
function databaseError(error: unknown): Fields | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const candidate = current as Record<string, unknown>;
    if (typeof candidate.code === "string" && SQLSTATE.test(candidate.code)) {
      const fields: Fields = { name: "DatabaseError", sqlState: candidate.code };
      for (const key of ["severity", "constraint", "table", "column", "routine"]) {
        if (typeof candidate[key] === "string") fields[key] = candidate[key];
      }
      return fields;
    }
    current = candidate.cause;
  }
  return undefined;
}

function describeCause(error: Error): string | undefined {
  return error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : undefined;
}

/**
 * Structured JSON logs, one object per line, which Workers Logs indexes by field.
 *
 * @example
 * const log = createLogger("info", { requestId });
 * log.info("request", { method: "GET", path: "/health", status: 200, durationMs: 3 });
 */
export function createLogger(level: LogLevel, base: Fields = {}): Logger {
  const threshold = RANK[level];
  const write = (lineLevel: Exclude<LogLevel, "silent">, msg: string, fields?: Fields) => {
    if (RANK[lineLevel] < threshold) return;
    const line = JSON.stringify({ level: lineLevel, msg, time: new Date().toISOString(), ...base, ...fields });
    if (lineLevel === "error") console.error(line);
    else if (lineLevel === "warn") console.warn(line);
    else console.log(line);
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => createLogger(level, { ...base, ...fields }),
  };
}
