import { z } from "@hono/zod-openapi";
import { PROFILE_VISIBILITIES } from "../../../drizzle/identity";
import { TANGO_ROLES } from "../../../drizzle/users";
import { HttpUrl, multiLine, PositiveIntId, singleLine } from "../../lib/text";
import { FRIENDSHIP_STATES } from "../graph";
import { ProfileFieldsSchema, UserCardSchema } from "./users.schemas";


/** `{idOrUsername}`: all digits is an id, anything else a username (matched case-insensitively). */
export const UserRefParam = z.object({
  idOrUsername: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.-]+$/, "A user id or a username")
    .refine((value) => !/^\d+$/.test(value) || PositiveIntId.safeParse(value).success, "Not a valid user id")
    .openapi({ param: { name: "idOrUsername", in: "path" }, example: "ana_tanguera" }),
});

export type UserRef = { id: number } | { username: string };

export function toUserRef(value: string): UserRef {
  return /^\d+$/.test(value) ? { id: Number(value) } : { username: value };
}

const Visibility = z.enum(PROFILE_VISIBILITIES);

/** Where a signed-in viewer stands with the dancer (absent for an anonymous viewer). */
const RelationFields = {
  isFollowing: z.boolean().optional().openapi({ description: "Whether the viewer follows this dancer (signed-in viewers only)" }),
  followsYou: z.boolean().optional().openapi({ description: "Whether this dancer follows the viewer (signed-in viewers only)" }),
  friendship: z.enum(FRIENDSHIP_STATES).optional().openapi({
    description:
      "`friends`, `request_sent` (the viewer's request is pending), `request_received` (theirs is pending) " +
      "or `none` (signed-in viewers only)",
  }),
};

const count = (what: string) => z.number().int().openapi({ description: what });

export const PublicProfileSchema = UserCardSchema.extend(ProfileFieldsSchema.shape).extend({
  createdAt: z.string(),
  visibility: Visibility,
  isFriend: z.boolean().openapi({ description: "Whether the viewer is an active friend" }),
  followersCount: count("How many follow this dancer"),
  followingCount: count("How many this dancer follows"),
  friendsCount: count("This dancer's active friends"),
  ...RelationFields,
  restricted: z.literal(false),
}).openapi("PublicProfile");

export const RestrictedProfileSchema = UserCardSchema.extend({
  visibility: Visibility,
  ...RelationFields,
  restricted: z.literal(true),
}).openapi("RestrictedProfile", { description: "What a viewer the owner's visibility setting leaves out sees" });

export const ProfileSchema = z.discriminatedUnion("restricted", [PublicProfileSchema, RestrictedProfileSchema]);

export type PublicProfile = z.infer<typeof PublicProfileSchema>;
export type RestrictedProfile = z.infer<typeof RestrictedProfileSchema>;

const optionalText = (max: number) => singleLine(max).nullable().optional();
const httpUrl = HttpUrl.nullable().optional();
const level = z.number().int().min(0).max(10).optional();

/** The fields a user edits on their own profile; username, email and role change elsewhere. */
export const UpdateProfileBody = z
  .strictObject({
    name: singleLine(100, 1).optional(),
    firstName: optionalText(100),
    lastName: optionalText(100),
    nickname: optionalText(100),
    bio: multiLine(2000).nullable().optional(),
    profileImage: httpUrl,
    backgroundImage: httpUrl,
    facebookUrl: httpUrl,
    mobileNo: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, "E.164: '+' and 7 to 15 digits")
      .nullable()
      .optional()
      .openapi({ example: "+5491123456789" }),
    city: optionalText(100),
    state: optionalText(100),
    country: optionalText(100),
    countryCode: z
      .string()
      .regex(/^[A-Za-z]{2}$/, "Two letters (ISO 3166-1 alpha-2)")
      .toUpperCase()
      .nullable()
      .optional(),
    stateCode: z.string().regex(/^[A-Za-z0-9-]{1,10}$/, "Up to 10 letters, digits or '-'").nullable().optional(),
    languages: z
      .array(singleLine(40, 2))
      .max(10)
      .refine((list) => new Set(list).size === list.length, "No duplicates")
      .optional(),
    tangoRoles: z
      .array(z.enum(TANGO_ROLES))
      .refine((list) => new Set(list).size === list.length, "No duplicates")
      .optional(),
    leaderLevel: level,
    followerLevel: level,
    yearsOfDancing: z.number().int().min(0).max(80).optional(),
    startedDancingYear: z
      .number()
      .int()
      .min(1900)
      .refine((year) => year <= new Date().getUTCFullYear(), "Not in the future")
      .nullable()
      .optional(),
    occupation: optionalText(100),
  })
  .refine((body) => Object.keys(body).length > 0, "Give at least one field to change")
  .openapi("UpdateProfileRequest");

export type UpdateProfileInput = z.infer<typeof UpdateProfileBody>;
