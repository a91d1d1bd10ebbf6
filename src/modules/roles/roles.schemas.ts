import { z } from "@hono/zod-openapi";
import { ROLE_NAMES } from "../../../drizzle/users";
import { singleLine } from "../../lib/text";

export const RoleSchema = z
  .object({
    name: z.string().openapi({ example: "super_admin" }),
    level: z.number().int().openapi({ example: 7 }),
    title: z.string().openapi({ example: "Super Admin" }),
    description: z.string().nullable(),
  })
  .openapi("Role");

export const RoleListSchema = z.object({ items: z.array(RoleSchema) }).openapi("RoleList");

export const AssignRoleBody = z
  .strictObject({
    role: z.enum(ROLE_NAMES),
    reason: singleLine(500, 1).optional(),
  })
  .openapi("AssignRoleRequest");

export const UserRoleSchema = z
  .object({ userId: z.number().int(), role: z.string(), level: z.number().int() })
  .openapi("UserRole");

export const RoleChangeSchema = z
  .object({
    id: z.number().int(),
    userId: z.number().int(),
    oldRole: z.string(),
    newRole: z.string(),
    changedBy: z.number().int().nullable().openapi({ description: "Who made the change (null once deleted)" }),
    reason: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("RoleChange");


export type Role = z.infer<typeof RoleSchema>;
export type UserRole = z.infer<typeof UserRoleSchema>;
export type RoleChange = z.infer<typeof RoleChangeSchema>;
