import { z } from "@hono/zod-openapi";
import { TANGO_STYLES, TEACHING_LEVELS, VENUE_FLOORS } from "../../../drizzle/directory";
import { AppError } from "../../lib/errors";
import { PageQuery } from "../../lib/pagination";
import { HttpUrl, INT4_MAX, multiLine, PositiveIntId, singleLine } from "../../lib/text";
import { Near, RadiusKm } from "../events";
import { MediaUrl } from "../media";

/**
 * The request bodies and queries of the directory: each field is checked here on its own; the
 * rules between fields on a write (a rate without its currency, one coordinate without the
 * other) are checked on the row as the write would leave it (directory.policy.ts), so an edit
 * of one field is held to the same rules as a create.
 */
export const DIRECTORY_LIMITS = {
  name: 200,
  headline: 200,
  text: 5000,
  place: 200,
  languages: 12,
  regularNights: 21,
  /** The longest stay of a travelling teacher in one city. */
  visitDays: 366,
  /** Cents: 1,000,000.00 in any currency. */
  rate: 100_000_000,
} as const;

/** A dance style, one of {@link TANGO_STYLES}. */
export const StyleSchema = z.enum(TANGO_STYLES).openapi({ example: "salon" });
export const LevelSchema = z.enum(TEACHING_LEVELS).openapi({ example: "beginner" });
export const FloorSchema = z.enum(VENUE_FLOORS).openapi({ example: "wood" });

/** A list of distinct values, in the order first given. */
const distinct = <T>(values: T[]): T[] => [...new Set(values)];

const Styles = z.array(StyleSchema).max(TANGO_STYLES.length * 2).transform(distinct);

/** A language as a short ISO 639 code (`es`, `en`, `pt`), stored lower-cased. */
const Language = z
  .string()
  .regex(/^[A-Za-z]{2,3}$/, "A two- or three-letter language code, e.g. es or en")
  .transform((code) => code.toLowerCase())
  .openapi({ type: "string", example: "es" });

const Currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, "A three-letter ISO 4217 code, e.g. ARS or EUR")
  .transform((code) => code.toUpperCase())
  .openapi({ type: "string", example: "EUR" });

const Rate = z
  .number()
  .int()
  .min(0)
  .max(DIRECTORY_LIMITS.rate)
  .nullable()
  .openapi({ description: "In the currency's minor unit (cents)", example: 6000 });

/** A calendar day (`2027-03-01`) between 1900 and 2200. */
export const Day = z.iso
  .date()
  .refine((value) => {
    const year = Number(value.slice(0, 4));
    return year >= 1900 && year <= 2200;
  }, "A date between 1900 and 2200")
  .openapi({ example: "2027-03-01" });

export const Latitude = z.number().min(-90).max(90).nullable().openapi({ example: 52.52 });
export const Longitude = z.number().min(-180).max(180).nullable().openapi({ example: 13.405 });
const place = (example: string) => singleLine(DIRECTORY_LIMITS.place, 1).openapi({ example });

const Id = z.number().int().min(1).max(INT4_MAX);

/** The fields a teacher profile is made of, alike in create and edit (`null` clears an optional one). */
const TeacherFields = {
  headline: singleLine(DIRECTORY_LIMITS.headline, 1).openapi({ example: "Salon and milonguero, classes in Spanish and English" }),
  bio: multiLine(DIRECTORY_LIMITS.text),
  styles: Styles.refine((styles) => styles.length >= 1, "At least one style").openapi({ example: ["salon"] }),
  levels: z.array(LevelSchema).max(TEACHING_LEVELS.length * 2).transform(distinct),
  languages: z.array(Language).max(DIRECTORY_LIMITS.languages).transform(distinct).openapi({ example: ["es", "en"] }),
  city: place("Berlin"),
  country: place("Germany"),
  latitude: Latitude,
  longitude: Longitude,
  privateLessons: z.boolean(),
  privateRate: Rate,
  groupRate: Rate,
  currency: Currency.nullable(),
  website: HttpUrl.nullable(),
};

export const CreateTeacherBody = z
  .object({
    ...TeacherFields,
    bio: TeacherFields.bio.default(""),
    levels: TeacherFields.levels.default([]),
    languages: TeacherFields.languages.default([]),
    privateLessons: TeacherFields.privateLessons.default(false),
  })
  .partial({ latitude: true, longitude: true, privateRate: true, groupRate: true, currency: true, website: true })
  .openapi("CreateTeacher");

export const UpdateTeacherBody = z.object(TeacherFields).partial().openapi("UpdateTeacher");

export type CreateTeacherInput = z.infer<typeof CreateTeacherBody>;
export type UpdateTeacherInput = z.infer<typeof UpdateTeacherBody>;

/** Where a travelling teacher teaches, and when. */
const LocationFields = {
  city: place("Buenos Aires"),
  country: place("Argentina"),
  latitude: Latitude,
  longitude: Longitude,
  startsOn: Day,
  endsOn: Day,
  note: multiLine(1000).nullable(),
};

export const CreateLocationBody = z
  .object(LocationFields)
  .partial({ latitude: true, longitude: true, note: true })
  .openapi("CreateTeacherLocation");
export const UpdateLocationBody = z.object(LocationFields).partial().openapi("UpdateTeacherLocation");
export type CreateLocationInput = z.infer<typeof CreateLocationBody>;
export type UpdateLocationInput = z.infer<typeof UpdateLocationBody>;

const Time = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, "A local time as HH:MM, e.g. 21:30").openapi({ example: "21:00" });

/** A weekly night at a venue: weekday 0 (Sunday) to 6, local start and end (an end before the start is after midnight). */
export const RegularNightSchema = z
  .object({
    weekday: z.number().int().min(0).max(6).openapi({ description: "0 Sunday to 6 Saturday", example: 4 }),
    start: Time,
    end: Time.openapi({ example: "02:00" }),
    name: singleLine(100, 1).optional().openapi({ example: "Milonga de los Jueves" }),
  })
  .refine((night) => night.start !== night.end, { message: "A night ends at another time than it starts", path: ["end"] })
  .openapi("RegularNight");

export type RegularNight = z.infer<typeof RegularNightSchema>;

const VenueFields = {
  name: singleLine(DIRECTORY_LIMITS.name, 1).openapi({ example: "Salon Canning" }),
  description: multiLine(DIRECTORY_LIMITS.text),
  address: singleLine(DIRECTORY_LIMITS.place, 1).openapi({ example: "Av. Scalabrini Ortiz 1331" }),
  city: place("Buenos Aires"),
  country: place("Argentina"),
  latitude: Latitude,
  longitude: Longitude,
  floor: FloorSchema.nullable(),
  capacity: z.number().int().min(1).max(100_000).nullable(),
  regularNights: z.array(RegularNightSchema).max(DIRECTORY_LIMITS.regularNights),
  website: HttpUrl.nullable(),
  imageUrl: MediaUrl.nullable().openapi({ description: "An image uploaded with POST /api/media" }),
};

export const CreateVenueBody = z
  .object({ ...VenueFields, description: VenueFields.description.default(""), regularNights: VenueFields.regularNights.default([]) })
  .partial({ latitude: true, longitude: true, floor: true, capacity: true, website: true, imageUrl: true })
  .openapi("CreateVenue");
export const UpdateVenueBody = z.object(VenueFields).partial().openapi("UpdateVenue");
export type CreateVenueInput = z.infer<typeof CreateVenueBody>;
export type UpdateVenueInput = z.infer<typeof UpdateVenueBody>;

const SchoolFields = {
  name: singleLine(DIRECTORY_LIMITS.name, 1).openapi({ example: "Escuela de Tango de Buenos Aires" }),
  description: multiLine(DIRECTORY_LIMITS.text),
  address: singleLine(DIRECTORY_LIMITS.place).nullable(),
  city: place("Buenos Aires"),
  country: place("Argentina"),
  latitude: Latitude,
  longitude: Longitude,
  styles: Styles,
  website: HttpUrl.nullable(),
  venueId: Id.nullable().openapi({ description: "The venue where it teaches, from GET /api/venues" }),
};

export const CreateSchoolBody = z
  .object({ ...SchoolFields, description: SchoolFields.description.default(""), styles: SchoolFields.styles.default([]) })
  .partial({ address: true, latitude: true, longitude: true, website: true, venueId: true })
  .openapi("CreateSchool");
export const UpdateSchoolBody = z.object(SchoolFields).partial().openapi("UpdateSchool");
export type CreateSchoolInput = z.infer<typeof CreateSchoolBody>;
export type UpdateSchoolInput = z.infer<typeof UpdateSchoolBody>;

export const SchoolTeacherBody = z.object({ teacherId: Id.openapi({ description: "A teacher profile's id" }) }).openapi("AddSchoolTeacher");

export const StudentRequestBody = z
  .object({ message: multiLine(1000).optional().openapi({ description: "A word for the teacher" }) })
  .openapi("StudentRequest");

const Rating = z.number().int().min(1).max(5).openapi({ description: "1 (poor) to 5 (wonderful)", example: 5 });
const Comment = multiLine(2000).openapi({ description: "Empty after trimming means none" });
export const CreateReviewBody = z.object({ rating: Rating, comment: Comment.optional() }).openapi("CreateDirectoryReview");
export const UpdateReviewBody = z.object({ rating: Rating.optional(), comment: Comment.optional() }).openapi("UpdateDirectoryReview");
export type CreateReviewInput = z.infer<typeof CreateReviewBody>;
export type UpdateReviewInput = z.infer<typeof UpdateReviewBody>;

const Text = singleLine(200, 1);

/** The filters every directory listing takes: a city, a place around, words. */
const PlaceQuery = PageQuery.extend({
  city: singleLine(DIRECTORY_LIMITS.place, 1).optional().openapi({ description: "The city as given (exact)", example: "Berlin" }),
  near: Near.optional(),
  radiusKm: RadiusKm.optional(),
  q: Text.optional().openapi({ description: "Words in the name (or headline), city or description (web-search syntax)" }),
});

const Flag = z
  .enum(["true", "false"])
  .transform((value) => value === "true")
  .openapi({ type: "boolean" });

export const TeacherSearchQuery = PlaceQuery.extend({
  style: StyleSchema.optional(),
  language: Language.optional(),
  level: LevelSchema.optional(),
  privateLessons: Flag.optional(),
  from: Day.optional().openapi({ description: "With `city` or `near`: teaching there from this day (default today)" }),
  to: Day.optional().openapi({ description: "With `city` or `near`: teaching there until this day (default: any time after `from`)" }),
});
export type TeacherSearchInput = z.infer<typeof TeacherSearchQuery>;

export const VenueSearchQuery = PlaceQuery;
export type VenueSearchInput = z.infer<typeof VenueSearchQuery>;

export const SchoolSearchQuery = PlaceQuery.extend({ style: StyleSchema.optional() });
export type SchoolSearchInput = z.infer<typeof SchoolSearchQuery>;

/** `/api/<things>/{id}/<items>/{<name>}`: an object and one of its items (a visit, a review). */
export function itemParams<K extends string>(name: K) {
  const item = { [name]: PositiveIntId.openapi({ param: { name, in: "path" }, example: "7" }) } as Record<K, typeof PositiveIntId>;
  return z.object({ id: PositiveIntId.openapi({ param: { name: "id", in: "path" }, example: "42" }), ...item });
}

/** A range given backwards: `to` before `from`, `endsOn` before `startsOn`. */
export function reversedDates(path: string): AppError {
  return new AppError(400, "dates_reversed", "The end date is before the start date.", {
    errors: [{ path, message: "Before the start date" }],
  });
}
