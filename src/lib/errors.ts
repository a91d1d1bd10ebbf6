import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";

/** One failing field of a validation error: `body.email`, `query.limit`, ... */
export interface FieldError {
  path: string;
  message: string;
}

/** RFC 9457 problem details, as every error leaves this API. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId?: string;
  instance?: string;
  errors?: FieldError[];
  /** When the refused action may be tried again (a request declined recently). */
  retryAt?: string;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  422: "Unprocessable Content",
  426: "Upgrade Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export function titleFor(status: number): string {
  return TITLES[status] ?? "Error";
}

/** The problem `type` URI for a code: a URN, stable and not pretending to be a web page. */
export function problemType(code: string): string {
  return `urn:mundo-tango:problem:${code}`;
}

/**
 * The one error type of the application: a stable snake_case `code`, an HTTP status and
 * a human `detail`. Services throw it; the error handler turns it into problem+json.
 *
 * @example
 * throw new AppError(409, "username_taken", "That username is already in use.");
 */
export class AppError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;
  /** Extra members of the problem body (RFC 9457 extensions), e.g. `{ retryAt }`. */
  readonly extensions?: Record<string, unknown>;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    detail: string,
    options: { errors?: FieldError[]; headers?: Record<string, string>; extensions?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = "AppError";
    this.status = status;
    this.code = code;
    this.errors = options.errors;
    this.headers = options.headers;
    this.extensions = options.extensions;
  }

  toProblem(extra: { requestId?: string; instance?: string } = {}): Problem {
    return {
      ...this.extensions,
      type: problemType(this.code),
      title: titleFor(this.status),
      status: this.status,
      detail: this.message,
      code: this.code,
      ...extra,
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export const badRequest = (code: string, detail: string) => new AppError(400, code, detail);
export const unauthorized = (detail = "Authentication is required.", code = "unauthorized") =>
  new AppError(401, code, detail, { headers: { "WWW-Authenticate": 'Bearer realm="mundo-tango"' } });
export const forbidden = (detail = "You are not allowed to do this.", code = "forbidden") =>
  new AppError(403, code, detail);
/** 404 for what does not exist and for what this viewer may not see (never leak which). */
export const notFound = (what = "resource") => new AppError(404, "not_found", `No such ${what}.`);
export const conflict = (code: string, detail: string) => new AppError(409, code, detail);
export const tooManyRequests = (retryAfterSeconds: number) =>
  new AppError(429, "rate_limited", `Too many requests; try again in ${retryAfterSeconds} seconds.`, {
    headers: { "Retry-After": String(retryAfterSeconds) },
  });

/** How a validation target is named to clients: `body.email`, `path.id`, `query.limit`. */
const TARGET_NAMES: Record<string, string> = { json: "body", form: "body", param: "path" };

/** Lists each failing field of a zod error, prefixed with where it came from (`body`, `query`...). */
export function fieldErrors(error: ZodError, target?: string): FieldError[] {
  const prefix = target ? (TARGET_NAMES[target] ?? target) : undefined;
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join("."),
    message: issue.message,
  }));
}

export function validationError(error: ZodError, target?: string): AppError {
  const errors = fieldErrors(error, target);
  const fields = errors.map((e) => e.path).join(", ");
  return new AppError(400, "validation_failed", `The request is not valid: ${fields}.`, { errors });
}
