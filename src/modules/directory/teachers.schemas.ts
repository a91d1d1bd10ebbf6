import { z } from "@hono/zod-openapi";
import { STUDENT_STATUSES, TANGO_STYLES, TEACHING_LEVELS } from "../../../drizzle/directory";
import { isoUtc } from "../../lib/time";
import { UserCardSchema } from "../users";

const coordinate = z.number().nullable();

/** An average over the reviews kept in the profile's counters. */
export const RatingSchema = z
  .object({
    average: z.number().nullable().openapi({ description: "Mean rating (1-5, two decimals); null without reviews" }),
    reviews: z.number().int(),
  })
  .openapi("DirectoryRating");

export const TeacherLocationSchema = z
  .object({
    id: z.number().int(),
    teacherId: z.number().int(),
    city: z.string(),
    country: z.string(),
    latitude: coordinate,
    longitude: coordinate,
    startsOn: z.string().openapi({ format: "date" }),
    endsOn: z.string().openapi({ format: "date" }),
    note: z.string().nullable(),
  })
  .openapi("TeacherLocation");

/** A teacher profile as every read path shows it: the user's card, what and how they teach, where, rates, counters. */
export const TeacherSchema = z
  .object({
    id: z.number().int(),
    user: UserCardSchema,
    headline: z.string(),
    bio: z.string(),
    styles: z.array(z.enum(TANGO_STYLES)),
    levels: z.array(z.enum(TEACHING_LEVELS)),
    languages: z.array(z.string()),
    city: z.string(),
    country: z.string(),
    latitude: coordinate,
    longitude: coordinate,
    privateLessons: z.boolean(),
    privateRate: z.number().int().nullable().openapi({ description: "Cents" }),
    groupRate: z.number().int().nullable().openapi({ description: "Cents" }),
    currency: z.string().nullable(),
    website: z.string().nullable(),
    studentCount: z.number().int().openapi({ description: "Approved students" }),
    rating: RatingSchema,
    distanceKm: z.number().nullable().openapi({ description: "From `near` (the base or a visit then), when a search asked for one" }),
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Teacher");

export const TeacherDetailSchema = TeacherSchema.extend({
  upcomingLocations: z.array(TeacherLocationSchema).openapi({ description: "The next visits (up to 10), soonest first" }),
  viewer: z.object({
    isTeacher: z.boolean(),
    student: z
      .object({ id: z.number().int(), status: z.enum(STUDENT_STATUSES) })
      .nullable()
      .openapi({ description: "The viewer's own request to study with them" }),
  }),
}).openapi("TeacherDetail");

export type Teacher = z.infer<typeof TeacherSchema>;
export type TeacherDetail = z.infer<typeof TeacherDetailSchema>;
export type TeacherLocation = z.infer<typeof TeacherLocationSchema>;

/** The columns `teacherColumns` (teachers.service.ts) selects, as raw SQL rows give them. */
export interface TeacherRow extends Record<string, unknown> {
  id: number;
  user_id: number;
  username: string;
  name: string;
  profile_image: string | null;
  headline: string;
  bio: string;
  styles: string[];
  levels: string[];
  languages: string[];
  city: string;
  country: string;
  latitude: number | string | null;
  longitude: number | string | null;
  private_lessons: boolean;
  private_rate: number | null;
  group_rate: number | null;
  currency: string | null;
  website: string | null;
  student_count: number;
  review_count: number;
  rating_sum: number;
  created_key: string;
  updated_key: string;
  distance_km?: number | string | null;
}

export interface LocationRow extends Record<string, unknown> {
  id: number;
  teacher_id: number;
  city: string;
  country: string;
  latitude: number | string | null;
  longitude: number | string | null;
  starts_on: string;
  ends_on: string;
  note: string | null;
}

export interface TeacherDetailRow extends TeacherRow {
  upcoming: LocationRow[];
  viewer_student: { id: number; status: string } | null;
}

export const numberOrNull = (value: number | string | null | undefined): number | null =>
  value === null || value === undefined ? null : Number(value);

/** The rating from a row's counters (exact: the reviews statements keep them). */
export function ratingOf(row: { review_count: number; rating_sum: number }): z.infer<typeof RatingSchema> {
  const reviews = Number(row.review_count);
  return { average: reviews === 0 ? null : Math.round((Number(row.rating_sum) / reviews) * 100) / 100, reviews };
}

export function toLocation(row: LocationRow): TeacherLocation {
  return {
    id: Number(row.id),
    teacherId: Number(row.teacher_id),
    city: row.city,
    country: row.country,
    latitude: numberOrNull(row.latitude),
    longitude: numberOrNull(row.longitude),
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    note: row.note,
  };
}

export function toTeacher(row: TeacherRow): Teacher {
  return {
    id: Number(row.id),
    user: { id: Number(row.user_id), username: row.username, name: row.name, profileImage: row.profile_image },
    headline: row.headline,
    bio: row.bio,
    styles: row.styles as Teacher["styles"],
    levels: row.levels as Teacher["levels"],
    languages: row.languages,
    city: row.city,
    country: row.country,
    latitude: numberOrNull(row.latitude),
    longitude: numberOrNull(row.longitude),
    privateLessons: row.private_lessons,
    privateRate: numberOrNull(row.private_rate),
    groupRate: numberOrNull(row.group_rate),
    currency: row.currency,
    website: row.website,
    studentCount: Number(row.student_count),
    rating: ratingOf(row),
    distanceKm: numberOrNull(row.distance_km),
    createdAt: isoUtc(row.created_key),
    updatedAt: isoUtc(row.updated_key),
  };
}

export function toTeacherDetail(row: TeacherDetailRow): TeacherDetail {
  return {
    ...toTeacher(row),
    upcomingLocations: (row.upcoming ?? []).map(toLocation),
    viewer: {
      isTeacher: row.viewer_is_teacher === true,
      student: row.viewer_student ? { id: Number(row.viewer_student.id), status: row.viewer_student.status as "pending" } : null,
    },
  };
}
