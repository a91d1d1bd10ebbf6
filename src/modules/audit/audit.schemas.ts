import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/pagination";
import { PositiveIntId, singleLine } from "../../lib/text";

/**
 * A point in time for a filter: an ISO 8601 date-time (microseconds kept, for Postgres to read),
 * or a date (its midnight, UTC).
 */
const Instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((value) => (value.length === 10 ? `${value}T00:00:00Z` : value))
  .refine((value) => {
    const year = new Date(value).getUTCFullYear();
    return year >= 2000 && year <= 2100;
  }, "A time between 2000 and 2100")
  .openapi({ type: "string", example: "2026-12-01T00:00:00Z" });

export const AuditQuery = PageQuery.extend({
  actorId: PositiveIntId.optional().openapi({ type: "integer", description: "Only this admin's writes" }),
  action: singleLine(64, 1).optional().openapi({ example: "role.assign" }),
  objectType: singleLine(40, 1).optional().openapi({ example: "user" }),
  objectId: singleLine(100, 1).optional().openapi({ example: "42" }),
  from: Instant.optional().openapi({ description: "Written at or after (a date: its midnight UTC)" }),
  to: Instant.optional().openapi({ description: "Written before (exclusive; a date: its midnight UTC)" }),
});

export type AuditFilters = Omit<z.infer<typeof AuditQuery>, "limit" | "cursor">;

const Json = z.record(z.string(), z.unknown()).nullable();

export const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    actorId: z.number().int().nullable().openapi({ description: "Null once the admin's account is deleted" }),
    action: z.string().openapi({ example: "role.assign" }),
    objectType: z.string().openapi({ example: "user" }),
    objectId: z.string().nullable(),
    before: Json.openapi({ description: "The object before the write (null for a create); secrets left out" }),
    after: Json.openapi({ description: "The object after the write (null for a delete)" }),
    createdAt: z.string(),
  })
  .openapi("AuditEntry");

export type AuditEntryOut = z.infer<typeof AuditEntrySchema>;
