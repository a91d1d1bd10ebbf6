/**
 * ISO 8601 in UTC for a database timestamp. Columns are `timestamp` (without time zone)
 * holding UTC, so raw SQL and JSON give `2026-03-01 21:30:00.123456` or
 * `2026-03-01T21:30:00.123456`; drizzle's typed selects give a Date.
 *
 * @example
 * isoUtc("2026-03-01 21:30:00.123456"); // "2026-03-01T21:30:00.123Z"
 */
export function isoUtc(value: string | Date): string;
export function isoUtc(value: string | Date | null | undefined): string | null;
export function isoUtc(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  const normalized = value.replace(" ", "T");
  const hasZone = /(Z|[+-]\d{2}(:?\d{2})?)$/.test(normalized);
  return new Date(hasZone ? normalized : `${normalized}Z`).toISOString();
}
