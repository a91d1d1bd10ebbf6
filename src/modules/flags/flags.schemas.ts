import { z } from "@hono/zod-openapi";
import { ROLES } from "../../../drizzle/users";
import { INT4_MAX, multiLine, singleLine } from "../../lib/text";

/** A flag key as clients name it: lowercase letters, digits, `_`, `.`, `-`, starting with a letter or digit. */
export const FLAG_KEY_PATTERN = /^[a-z0-9][a-z0-9_.-]*$/;
export const MAX_LISTED_USERS = 1000;
export const MAX_CITIES = 100;

const FlagKey = z
  .string()
  .max(64)
  .regex(FLAG_KEY_PATTERN, "Lowercase letters, digits, _ . - (starting with a letter or digit), at most 64")
  .openapi({ example: "new-feed" });

/** A list of user ids, at most 1000, kept once each in ascending order. */
const UserIds = z
  .array(z.number().int().min(1).max(INT4_MAX))
  .max(MAX_LISTED_USERS)
  .transform((ids) => [...new Set(ids)].sort((a, b) => a - b))
  .openapi({ example: [42] });

/** Cities as written (trimmed), once each whatever their case: matching ignores case. */
const Cities = z
  .array(singleLine(100, 1))
  .max(MAX_CITIES)
  .transform((cities) => {
    const seen = new Set<string>();
    return cities.filter((city) => {
      const folded = cityKey(city);
      if (seen.has(folded)) return false;
      seen.add(folded);
      return true;
    });
  })
  .openapi({ example: ["Buenos Aires"] });

/** How a city is compared: trimmed, Unicode-normalized (NFC) and lowercased, so `BUENOS AIRES` is `Buenos Aires`. */
export function cityKey(city: string): string {
  return city.trim().normalize("NFC").toLowerCase();
}

const MAX_LEVEL = ROLES.at(-1)!.level;

const FlagFields = {
  description: multiLine(500).nullable(),
  enabled: z.boolean(),
  rolloutPercentage: z.number().int().min(0).max(100).openapi({ description: "Share of the targeted dancers it is on for, 0-100", example: 25 }),
  allowUserIds: UserIds.openapi({ description: `Always on for these dancers (unless denied); at most ${MAX_LISTED_USERS}` }),
  denyUserIds: UserIds.openapi({ description: `Always off for these dancers; at most ${MAX_LISTED_USERS}` }),
  minLevel: z.number().int().min(1).max(MAX_LEVEL).nullable().openapi({ description: "Lowest role level it targets (null: any)", example: null }),
  cities: Cities.openapi({ description: `Only dancers whose profile city is one of these (any case); empty: anywhere. At most ${MAX_CITIES}` }),
};

export const CreateFlagBody = z
  .strictObject({
    key: FlagKey,
    description: FlagFields.description.optional(),
    enabled: FlagFields.enabled.default(false),
    rolloutPercentage: FlagFields.rolloutPercentage.default(100),
    allowUserIds: FlagFields.allowUserIds.default([]),
    denyUserIds: FlagFields.denyUserIds.default([]),
    minLevel: FlagFields.minLevel.optional(),
    cities: FlagFields.cities.default([]),
  })
  .openapi("CreateFlagRequest");

export const UpdateFlagBody = z
  .strictObject({
    description: FlagFields.description.optional(),
    enabled: FlagFields.enabled.optional(),
    rolloutPercentage: FlagFields.rolloutPercentage.optional(),
    allowUserIds: FlagFields.allowUserIds.optional(),
    denyUserIds: FlagFields.denyUserIds.optional(),
    minLevel: FlagFields.minLevel.optional(),
    cities: FlagFields.cities.optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), "Give at least one field to change")
  .openapi("UpdateFlagRequest");

/** `If-Match` on an edit: the ETag (`version`) the admin last read; another edit since is a 412. */
export const IfMatchHeader = z.object({
  "if-match": z
    .string()
    .max(200)
    .optional()
    .openapi({
      param: { name: "if-match", in: "header" },
      description: "The flag's ETag as last read (its `version` in quotes): the edit applies only if no other edit came since",
      example: '"1765017206123456"',
    }),
});

export const FlagSchema = z
  .object({
    id: z.number().int(),
    key: z.string().openapi({ example: "new-feed" }),
    description: z.string().nullable(),
    enabled: z.boolean(),
    rolloutPercentage: z.number().int(),
    allowUserIds: z.array(z.number().int()),
    denyUserIds: z.array(z.number().int()),
    minLevel: z.number().int().nullable(),
    cities: z.array(z.string()),
    createdBy: z.number().int().nullable(),
    updatedBy: z.number().int().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.string().openapi({ description: "Changes with every edit; send it back in `If-Match` (quoted) to edit safely", example: "1765017206123456" }),
  })
  .openapi("FeatureFlag");

export const EvaluatedFlagsSchema = z
  .object({
    flags: z.record(z.string(), z.boolean()).openapi({ description: "Every flag's key and whether it is on for the caller", example: { "new-feed": true } }),
  })
  .openapi("EvaluatedFlags");

export type Flag = z.infer<typeof FlagSchema>;
export type CreateFlagInput = z.output<typeof CreateFlagBody>;
export type UpdateFlagInput = z.output<typeof UpdateFlagBody>;
