import { customType } from "drizzle-orm/pg-core";

/**
 * Postgres types drizzle has no built-ins for, declared once for every schema file. Values
 * travel as Postgres' text forms: a tsvector is only ever written by a generated column, a
 * point reads as "(x,y)" (x = longitude, y = latitude), a daterange as "[2027-03-01,2027-03-08)".
 */
export const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });
export const point = customType<{ data: string }>({ dataType: () => "point" });
export const daterange = customType<{ data: string }>({ dataType: () => "daterange" });
