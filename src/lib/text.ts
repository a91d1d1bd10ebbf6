import { z } from "@hono/zod-openapi";

/**
 * The shared schemas for text the API takes. Every module builds its text fields from these,
 * so no field lets a character through that Postgres refuses (NUL: `invalid byte sequence
 * for encoding "UTF8": 0x00`) or that breaks a line where one line is meant (a name in an
 * email subject, a log line).
 *
 * - {@link singleLine}: no control character at all (C0, DEL, C1), nor a line or paragraph
 *   separator (U+2028, U+2029). Names, titles, places, logins, reasons.
 * - {@link multiLine}: line breaks and tabs (`\n`, `\r`, `\t`) are allowed, every other
 *   control character is refused. Bios, descriptions, messages.
 */

// eslint-disable-next-line no-control-regex
const SINGLE_LINE_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex
const MULTI_LINE_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

export const SINGLE_LINE_MESSAGE = "One line of text: no control characters or line breaks";
export const MULTI_LINE_MESSAGE = "Text without control characters (line breaks and tabs are fine)";

/** True when `value` has no character a single-line field refuses. */
export function isSingleLine(value: string): boolean {
  return !SINGLE_LINE_FORBIDDEN.test(value);
}

/** True when `value` has no character a multi-line field refuses. */
export function isMultiLine(value: string): boolean {
  return !MULTI_LINE_FORBIDDEN.test(value);
}

/**
 * A trimmed single-line string of at most `max` characters (`min`, default 0, after trimming).
 *
 * @example
 * z.object({ name: singleLine(100, 1) })
 */
export function singleLine(max: number, min = 0) {
  return z.string().refine(isSingleLine, { message: SINGLE_LINE_MESSAGE, abort: true }).trim().min(min).max(max);
}

/** A trimmed multi-line string of at most `max` characters (`min`, default 0, after trimming). */
export function multiLine(max: number, min = 0) {
  return z.string().refine(isMultiLine, { message: MULTI_LINE_MESSAGE, abort: true }).trim().min(min).max(max);
}

/** An http(s) URL on one line, at most 2048 characters (a NUL would otherwise pass URL parsing). */
export const HttpUrl = z.string().refine(isSingleLine, { message: SINGLE_LINE_MESSAGE, abort: true }).pipe(z.httpUrl().max(2048));

/**
 * Letters A-Z lowered, nothing else: the case fold logins are matched by, the same as
 * {@link asciiFoldSql} in SQL. Unlike `toLowerCase()` or Postgres' `lower()` it never folds a
 * non-ASCII character (`İ`, `K` Kelvin sign) into an ASCII one.
 */
export function asciiFold(value: string): string {
  return value.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** True when `value` is printable ASCII only (what usernames and login emails are made of). */
export function isPrintableAscii(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}

/** `{id}` path parameter: canonical decimal digits (no sign, no leading zero, no exponent), 1 to int4's max. */
export const INT4_MAX = 2_147_483_647;

export const PositiveIntId = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, { message: "A positive integer id in decimal digits", abort: true })
  .refine((value) => Number(value) <= INT4_MAX, "Not a valid id")
  .transform(Number);

/** A calendar date (`2027-03-01`) between 1900 and 2200, kept as its text. */
export const DateOnly = z.iso
  .date()
  .refine((value) => {
    const year = Number(value.slice(0, 4));
    return year >= 1900 && year <= 2200;
  }, "A date between 1900 and 2200")
  .openapi({ type: "string", format: "date", example: "2030-03-01" });
