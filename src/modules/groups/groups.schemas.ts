import { z } from "@hono/zod-openapi";
import { GROUP_ROLES, GROUP_TYPES, MEMBERSHIP_STATUSES } from "../../../drizzle/groups";
import { PageQuery } from "../../lib/pagination";
import { HttpUrl, multiLine, PositiveIntId, singleLine } from "../../lib/text";
import { isoUtc } from "../../lib/time";
import { UserCardSchema } from "../users";

export const GroupTypeSchema = z.enum(GROUP_TYPES).openapi({
  description: "`city` (one community per city, joined automatically), `interest`, `professional` or `private` (joining needs approval)",
});
export const GroupRoleSchema = z.enum(GROUP_ROLES).openapi({ description: "What a member may do: admins manage the group, moderators approve members" });
export const MembershipStatusSchema = z.enum(MEMBERSHIP_STATUSES).openapi({ description: "`pending` until a private group's admins approve" });

/** The kinds of group a dancer creates: city communities are made by the profile's city only. */
export const CREATABLE_TYPES = ["interest", "professional", "private"] as const;

/** The viewer's own membership (null when they are not a member and asked nothing). */
export const ViewerMembershipSchema = z
  .object({ status: MembershipStatusSchema, role: GroupRoleSchema })
  .nullable()
  .openapi({ description: "The caller's membership: null when none (always null for anonymous callers)" });

/** A group as every read path shows it (detail, lists, search). */
export const GroupSchema = z
  .object({
    id: z.number().int(),
    type: GroupTypeSchema,
    name: z.string(),
    slug: z.string(),
    description: z.string().nullable(),
    imageUrl: z.string().nullable(),
    city: z.string().nullable(),
    country: z.string().nullable(),
    memberCount: z.number().int().openapi({ description: "Active members (pending requests are not counted)" }),
    hidden: z.boolean().openapi({ description: "Hidden by moderation (only its admins see it then)" }),
    membership: ViewerMembershipSchema,
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Group");

export type Group = z.infer<typeof GroupSchema>;

/** The columns `groupCardColumns` selects, as raw SQL rows give them. */
export interface GroupCardRow extends Record<string, unknown> {
  id: number;
  type: string;
  name: string;
  slug: string;
  description: string | null;
  image_url: string | null;
  city: string | null;
  country: string | null;
  member_count: number;
  hidden: boolean;
  viewer_status: string | null;
  viewer_role: string | null;
  created_at: string;
  updated_at: string;
}

/** Shapes a row selected with `groupCardColumns`. */
export function toGroup(row: GroupCardRow): Group {
  return {
    id: Number(row.id),
    type: row.type as Group["type"],
    name: row.name,
    slug: row.slug,
    description: row.description,
    imageUrl: row.image_url,
    city: row.city,
    country: row.country,
    memberCount: Number(row.member_count),
    hidden: row.hidden,
    membership:
      row.viewer_status === null
        ? null
        : { status: row.viewer_status as "active" | "pending", role: (row.viewer_role ?? "member") as "member" | "moderator" | "admin" },
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
  };
}

export const GROUP_LIMITS = { name: 120, description: 5000, place: 100 } as const;

const Name = singleLine(GROUP_LIMITS.name, 1)
  .refine((name) => /[\p{L}\p{N}]/u.test(name), "At least one letter or digit")
  .openapi({ example: "Milongueros of the North" });
const Description = multiLine(GROUP_LIMITS.description).nullable();
const ImageUrl = HttpUrl.nullable().openapi({ description: "An image stored by this service (POST /api/media)" });
const Place = singleLine(GROUP_LIMITS.place, 1).nullable();

export const CreateGroupBody = z
  .strictObject({
    name: Name,
    type: z.enum(CREATABLE_TYPES).openapi({ description: "`interest`, `professional` or `private` (city communities are made by profiles)" }),
    description: Description.optional(),
    imageUrl: ImageUrl.optional(),
    city: Place.optional().openapi({ description: "Where the group meets, if anywhere (`?city=` finds it)" }),
    country: Place.optional(),
  })
  .openapi("CreateGroup");

export type CreateGroupInput = z.infer<typeof CreateGroupBody>;

/** Any subset of the editable fields; `null` clears an optional one; none changes nothing. The type never changes. */
export const UpdateGroupBody = z
  .strictObject({
    name: Name.optional(),
    description: Description.optional(),
    imageUrl: ImageUrl.optional(),
    city: Place.optional(),
    country: Place.optional(),
  })
  .openapi("UpdateGroup");

export type UpdateGroupInput = z.infer<typeof UpdateGroupBody>;

export const GroupListQuery = PageQuery.extend({
  type: GroupTypeSchema.optional(),
  city: singleLine(GROUP_LIMITS.place, 1).optional().openapi({ description: "Groups of this city (accents, case and spacing ignored)" }),
  q: singleLine(GROUP_LIMITS.name, 1).optional().openapi({ description: "Names resembling this (trigram similarity)", example: "milongueros" }),
});

/** `{id}` and `{userId}`: a group and one of its (would-be) members. */
export const MemberParams = z.object({
  id: PositiveIntId.openapi({ param: { name: "id", in: "path" }, example: "42" }),
  userId: PositiveIntId.openapi({ param: { name: "userId", in: "path" }, example: "7" }),
});

/** The caller's membership after joining or asking to join. */
export const MembershipSchema = z
  .object({
    groupId: z.number().int(),
    status: MembershipStatusSchema,
    role: GroupRoleSchema,
    since: z.string().openapi({ format: "date-time", description: "When the caller joined or asked to" }),
  })
  .openapi("GroupMembership");

export type Membership = z.infer<typeof MembershipSchema>;

/** A member in a group's member list. */
export const GroupMemberSchema = UserCardSchema.extend({
  role: GroupRoleSchema,
  joinedAt: z.string().openapi({ format: "date-time", description: "When they joined (the list's order, newest first)" }),
}).openapi("GroupMember");

export type GroupMember = z.infer<typeof GroupMemberSchema>;

/** A dancer asking to join a private group. */
export const JoinRequestSchema = UserCardSchema.extend({
  requestedAt: z.string().openapi({ format: "date-time", description: "When they asked (the list's order, oldest first)" }),
}).openapi("GroupJoinRequest");

export type JoinRequest = z.infer<typeof JoinRequestSchema>;

export const RoleBody = z.strictObject({ role: GroupRoleSchema }).openapi("GroupRoleChange");

/** One membership as raw SQL rows give it. */
export interface MembershipRow extends Record<string, unknown> {
  group_id: number;
  status: string;
  role: string;
  created_at: string;
}

export function toMembership(row: MembershipRow): Membership {
  return {
    groupId: Number(row.group_id),
    status: row.status as Membership["status"],
    role: row.role as Membership["role"],
    since: isoUtc(row.created_at),
  };
}
