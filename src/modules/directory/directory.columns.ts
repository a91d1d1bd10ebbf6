import { type SQL, sql } from "drizzle-orm";

/** How a field's value is passed to SQL, typed so that an INSERT or a SET reads it right. */
export type Kind = "text" | "int" | "float" | "boolean" | "textArray" | "date" | "jsonb";

/** Each API field of a write and its column. */
export type ColumnMap<F extends string> = Record<F, { column: string; kind: Kind }>;

/** A value as a typed SQL parameter (null as a typed NULL). */
function param(kind: Kind, value: unknown): SQL {
  const given = value ?? null;
  switch (kind) {
    case "text":
      return sql`${given}::text`;
    case "int":
      return sql`${given}::int`;
    case "float":
      return sql`${given}::float8`;
    case "boolean":
      return sql`${given}::boolean`;
    case "date":
      return sql`${given}::date`;
    case "jsonb":
      return given === null ? sql`NULL::jsonb` : sql`${JSON.stringify(given)}::jsonb`;
    case "textArray":
      return given === null ? sql`NULL::text[]` : sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(given)}::jsonb))::text[]`;
  }
}

function given<F extends string>(map: ColumnMap<F>, input: Partial<Record<F, unknown>>): F[] {
  return (Object.keys(map) as F[]).filter((field) => input[field] !== undefined);
}

/** The given fields as an INSERT's column list and its values, in the same order. */
export function insertColumns<F extends string>(map: ColumnMap<F>, input: Partial<Record<F, unknown>>): { columns: SQL; values: SQL } {
  const fields = given(map, input);
  return {
    columns: sql.join(fields.map((field) => sql.identifier(map[field].column)), sql`, `),
    values: sql.join(fields.map((field) => param(map[field].kind, input[field])), sql`, `),
  };
}

/** The given fields as an UPDATE's SET items (`column = value`); none when nothing is given. */
export function setColumns<F extends string>(map: ColumnMap<F>, input: Partial<Record<F, unknown>>): SQL[] {
  return given(map, input).map((field) => sql`${sql.identifier(map[field].column)} = ${param(map[field].kind, input[field])}`);
}

/** A field's value as the write would leave it: the given one, else the stored column of `row`. */
export function nextValue<F extends string>(map: ColumnMap<F>, input: Partial<Record<F, unknown>>, row: SQL, field: F): SQL {
  const { column, kind } = map[field];
  return input[field] !== undefined ? param(kind, input[field]) : sql`${row}.${sql.identifier(column)}`;
}
