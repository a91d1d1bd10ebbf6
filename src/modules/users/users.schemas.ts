import { z } from "@hono/zod-openapi";
import { roleLevel, type SelectUser } from "../../../drizzle/users";
import { isoUtc } from "../../lib/time";

/** The least anyone who may see a user at all is shown: no location, no tango profile. */
export const UserCardSchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    name: z.string(),
    profileImage: z.string().nullable(),
  })
  .openapi("UserCard");

export type UserCard = z.infer<typeof UserCardSchema>;

/** Shapes the card fields of any row that has them. */
export function toUserCard(user: Pick<SelectUser, "id" | "username" | "name" | "profileImage">): UserCard {
  return { id: user.id, username: user.username, name: user.name, profileImage: user.profileImage };
}

/**
 * The dancer's profile beyond the card: what a permitted viewer sees, and what the owner
 * sees of it too (the public and private views share these, so a new field goes here once).
 */
export const ProfileFieldsSchema = z.object({
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  nickname: z.string().nullable(),
  bio: z.string().nullable(),
  backgroundImage: z.string().nullable(),
  city: z.string().nullable(),
  state: z.string().nullable(),
  country: z.string().nullable(),
  countryCode: z.string().nullable(),
  languages: z.array(z.string()),
  tangoRoles: z.array(z.string()),
  leaderLevel: z.number().int(),
  followerLevel: z.number().int(),
  yearsOfDancing: z.number().int(),
  startedDancingYear: z.number().int().nullable(),
  occupation: z.string().nullable(),
  facebookUrl: z.string().nullable(),
  isVerified: z.boolean(),
});

export type ProfileFields = z.infer<typeof ProfileFieldsSchema>;

type ProfileColumns = Pick<SelectUser, keyof ProfileFields>;

/** Shapes the profile fields of a users row (or of a select of just those columns). */
export function toProfileFields(user: ProfileColumns): ProfileFields {
  return {
    firstName: user.firstName,
    lastName: user.lastName,
    nickname: user.nickname,
    bio: user.bio,
    backgroundImage: user.backgroundImage,
    city: user.city,
    state: user.state,
    country: user.country,
    countryCode: user.countryCode,
    languages: user.languages ?? [],
    tangoRoles: user.tangoRoles ?? [],
    leaderLevel: user.leaderLevel ?? 0,
    followerLevel: user.followerLevel ?? 0,
    yearsOfDancing: user.yearsOfDancing ?? 0,
    startedDancingYear: user.startedDancingYear,
    occupation: user.occupation,
    facebookUrl: user.facebookUrl,
    isVerified: user.isVerified ?? false,
  };
}

/** The account as its owner sees it: never the password hash, tokens, Stripe ids or IPs. */
export const PrivateUserSchema = UserCardSchema.extend(ProfileFieldsSchema.shape)
  .extend({
    email: z.string(),
    mobileNo: z.string().nullable(),
    stateCode: z.string().nullable(),
    isOnboardingComplete: z.boolean(),
    codeOfConductAccepted: z.boolean(),
    termsAccepted: z.boolean(),
    twoFactorEnabled: z.boolean(),
    role: z.string(),
    level: z.number().int().openapi({ description: "Role tier, 1 (Free) to 8" }),
    subscriptionTier: z.string().nullable(),
    subscriptionStatus: z.string().nullable(),
    lastLoginAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("PrivateUser");

export type PrivateUser = z.infer<typeof PrivateUserSchema>;

/** Shapes a users row for its owner, field by field (a row is never spread into a response). */
export function toPrivateUser(user: SelectUser): PrivateUser {
  return {
    ...toUserCard(user),
    ...toProfileFields(user),
    email: user.email,
    mobileNo: user.mobileNo,
    stateCode: user.stateCode,
    isOnboardingComplete: user.isOnboardingComplete ?? false,
    codeOfConductAccepted: user.codeOfConductAccepted ?? false,
    termsAccepted: user.termsAccepted ?? false,
    twoFactorEnabled: user.twoFactorEnabled ?? false,
    role: user.role,
    level: roleLevel(user.role),
    subscriptionTier: user.subscriptionTier,
    subscriptionStatus: user.subscriptionStatus,
    lastLoginAt: isoUtc(user.lastLoginAt),
    createdAt: isoUtc(user.createdAt ?? new Date(0)),
    updatedAt: isoUtc(user.updatedAt ?? new Date(0)),
  };
}
