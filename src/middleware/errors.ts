import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { ZodError } from "zod";
import type { AppEnv } from "../lib/context";
import { PG, pgError } from "../lib/db";
import { AppError, validationError } from "../lib/errors";
import { ConfigError } from "../lib/env";
import { errorFields } from "../lib/logger";

function problemResponse(c: Context<AppEnv>, error: AppError): Response {
  const body = error.toProblem({ requestId: c.var.requestId, instance: c.req.path });
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: { "content-type": "application/problem+json", ...error.headers },
  });
}

/** Hono's own exceptions (body parsing, body limit, media type) as our problem codes. */
function fromHttpException(error: HTTPException): AppError {
  switch (error.status) {
    case 400:
      return error.message.startsWith("Malformed JSON")
        ? new AppError(400, "malformed_json", "The request body is not valid JSON.")
        : new AppError(400, "bad_request", error.message || "The request is not valid.");
    case 413:
      return new AppError(413, "payload_too_large", "The request body is too large.");
    case 415:
      return new AppError(415, "unsupported_media_type", "Send the request body as application/json.");
    default:
      return new AppError(error.status, `http_${error.status}`, error.message || "Request failed.");
  }
}

/**
 * The HTTP status of a Neon reply that the driver could not read as a SQL error: it throws
 * `NeonDbError("Server error (HTTP status 507): ...")`, with no SQLSTATE.
 */
function neonHttpStatus(error: unknown): number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const { message, cause } = current as { message?: unknown; cause?: unknown };
    const status = typeof message === "string" ? /^Server error \(HTTP status (\d{3})\)/.exec(message)?.[1] : undefined;
    if (status) return Number(status);
    current = cause;
  }
  return undefined;
}

/** True when the driver could not reach Neon at all (`Error connecting to database: ...`). */
function neonUnreachable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const { message, cause } = current as { message?: unknown; cause?: unknown };
    if (typeof message === "string" && message.startsWith("Error connecting to database")) return true;
    current = cause;
  }
  return false;
}

/** The database is out of reach for now (an outage, a restart): the client should retry shortly. */
const databaseUnavailable = (what: string) =>
  new AppError(503, "database_unavailable", "The database is not reachable right now; retry shortly.", {
    cause: Object.assign(new Error(what), { name: "NeonHttpError" }),
    headers: { "Retry-After": "2" },
  });

/**
 * Neon's answers that are not SQL errors: its size limits (64 MB each way) and its outages
 * (a 5xx, or no answer at all), as 503 problems with stable codes.
 */
function fromNeonStatus(error: unknown): AppError | undefined {
  if (neonUnreachable(error)) return databaseUnavailable("Neon could not be reached");
  const status = neonHttpStatus(error);
  // The cause logged is the status alone: the driver's error (and drizzle's around it)
  // carries the statement and its parameter values.
  const cause = Object.assign(new Error(`Neon answered HTTP ${status}`), { name: "NeonHttpError" });
  switch (status) {
    case 413:
      return new AppError(503, "database_request_too_large", "The request was too large for the database to take at once.", {
        cause,
      });
    case 507:
      return new AppError(
        503,
        "database_response_too_large",
        "The result was too large for the database to return at once; ask for less (page through it).",
        { cause },
      );
    default:
      return status !== undefined && status >= 500 ? databaseUnavailable(`Neon answered HTTP ${status}`) : undefined;
  }
}

/**
 * Database errors that reach here were caused by the input (a value out of range, a
 * row that vanished meanwhile): they are 4xx, never 500. Services map the expected ones
 * to precise codes; this is the safety net. Neon's size limits are 503s of their own.
 */
function fromDatabaseError(error: unknown): AppError | undefined {
  const tooLarge = fromNeonStatus(error);
  if (tooLarge) return tooLarge;
  const pg = pgError(error);
  if (!pg) return undefined;
  switch (pg.code) {
    case PG.uniqueViolation:
    case PG.exclusionViolation:
      return new AppError(409, "conflict", "This conflicts with existing data.", { cause: error });
    case PG.foreignKeyViolation:
      return new AppError(409, "reference_not_found", "A referenced resource does not exist.", { cause: error });
    case PG.checkViolation:
    case PG.notNullViolation:
    case PG.invalidTextRepresentation:
    case PG.numericOutOfRange:
    case PG.stringTooLong:
    case PG.datetimeOverflow:
    case PG.invalidDatetimeFormat:
      return new AppError(400, "invalid_value", "A value in the request is not acceptable.", { cause: error });
    case PG.serializationFailure:
    case PG.deadlockDetected:
      return new AppError(503, "retry_later", "The request conflicted with another; retry it.", {
        cause: error,
        headers: { "Retry-After": "1" },
      });
    default:
      // Class 22 (data exception): a value Postgres refused, e.g. a NUL in text (22021).
      if (pg.code.startsWith("22")) {
        return new AppError(400, "invalid_value", "A value in the request is not acceptable.", { cause: error });
      }
      return undefined;
  }
}

/** Every error leaves as RFC 9457 problem+json: no stack trace, no 500 for bad input. */
export const onError: ErrorHandler<AppEnv> = (error, c) => {
  const logger = c.var.ctx?.logger;
  let appError: AppError;
  if (error instanceof AppError) appError = error;
  else if (error instanceof HTTPException) appError = fromHttpException(error);
  else if (error instanceof ZodError) appError = validationError(error);
  else if (error instanceof ConfigError) {
    console.error(JSON.stringify({ level: "error", msg: "configuration", problems: error.problems }));
    appError = new AppError(500, "misconfigured", "The service is misconfigured.");
  } else {
    appError =
      fromDatabaseError(error) ?? new AppError(500, "internal_error", "Something went wrong on our side.");
  }
  if (appError.status >= 500) {
    logger?.error("request failed", { code: appError.code, ...errorFields(appError.cause ?? error) });
  } else if (appError.cause) {
    logger?.warn("request rejected by the database", { code: appError.code, ...errorFields(appError.cause) });
  }
  return problemResponse(c, appError);
};

export const onNotFound: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(c, new AppError(404, "route_not_found", `No route for ${c.req.method} ${c.req.path}.`));
