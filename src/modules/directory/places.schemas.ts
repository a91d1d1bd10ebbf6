import { z } from "@hono/zod-openapi";
import { TANGO_STYLES, VENUE_FLOORS } from "../../../drizzle/directory";
import { isoUtc } from "../../lib/time";
import { RegularNightSchema } from "./directory.input";
import { numberOrNull, RatingSchema, ratingOf, type TeacherRow, TeacherSchema, toTeacher } from "./teachers.schemas";

const coordinate = z.number().nullable();

/** A venue (a milonga's home) as every read path shows it. */
export const VenueSchema = z
  .object({
    id: z.number().int(),
    createdBy: z.number().int().openapi({ description: "The user who listed it" }),
    name: z.string(),
    description: z.string(),
    address: z.string(),
    city: z.string(),
    country: z.string(),
    latitude: coordinate,
    longitude: coordinate,
    floor: z.enum(VENUE_FLOORS).nullable(),
    capacity: z.number().int().nullable(),
    regularNights: z.array(RegularNightSchema),
    website: z.string().nullable(),
    imageUrl: z.string().nullable(),
    rating: RatingSchema,
    distanceKm: z.number().nullable().openapi({ description: "From `near`, when a search asked for one" }),
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Venue");

export const SchoolSchema = z
  .object({
    id: z.number().int(),
    ownerId: z.number().int(),
    venueId: z.number().int().nullable(),
    name: z.string(),
    description: z.string(),
    address: z.string().nullable(),
    city: z.string(),
    country: z.string(),
    latitude: coordinate,
    longitude: coordinate,
    styles: z.array(z.enum(TANGO_STYLES)),
    website: z.string().nullable(),
    distanceKm: z.number().nullable().openapi({ description: "From `near`, when a search asked for one" }),
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("School");

export const SchoolDetailSchema = SchoolSchema.extend({
  teachers: z.array(TeacherSchema).openapi({ description: "Its teachers the viewer may see (up to 100), first added first" }),
}).openapi("SchoolDetail");

export type Venue = z.infer<typeof VenueSchema>;
export type School = z.infer<typeof SchoolSchema>;
export type SchoolDetail = z.infer<typeof SchoolDetailSchema>;

export interface VenueRow extends Record<string, unknown> {
  id: number;
  created_by: number;
  name: string;
  description: string;
  address: string;
  city: string;
  country: string;
  latitude: number | string | null;
  longitude: number | string | null;
  floor: string | null;
  capacity: number | null;
  regular_nights: Venue["regularNights"];
  website: string | null;
  image_url: string | null;
  review_count: number;
  rating_sum: number;
  created_key: string;
  updated_key: string;
  distance_km?: number | string | null;
}

export function toVenue(row: VenueRow): Venue {
  return {
    id: Number(row.id),
    createdBy: Number(row.created_by),
    name: row.name,
    description: row.description,
    address: row.address,
    city: row.city,
    country: row.country,
    latitude: numberOrNull(row.latitude),
    longitude: numberOrNull(row.longitude),
    floor: row.floor as Venue["floor"],
    capacity: numberOrNull(row.capacity),
    regularNights: row.regular_nights ?? [],
    website: row.website,
    imageUrl: row.image_url,
    rating: ratingOf(row),
    distanceKm: numberOrNull(row.distance_km),
    createdAt: isoUtc(row.created_key),
    updatedAt: isoUtc(row.updated_key),
  };
}

export interface SchoolRow extends Record<string, unknown> {
  id: number;
  owner_id: number;
  venue_id: number | null;
  name: string;
  description: string;
  address: string | null;
  city: string;
  country: string;
  latitude: number | string | null;
  longitude: number | string | null;
  styles: string[];
  website: string | null;
  created_key: string;
  updated_key: string;
  distance_km?: number | string | null;
}

export function toSchool(row: SchoolRow): School {
  return {
    id: Number(row.id),
    ownerId: Number(row.owner_id),
    venueId: numberOrNull(row.venue_id),
    name: row.name,
    description: row.description,
    address: row.address,
    city: row.city,
    country: row.country,
    latitude: numberOrNull(row.latitude),
    longitude: numberOrNull(row.longitude),
    styles: row.styles as School["styles"],
    website: row.website,
    distanceKm: numberOrNull(row.distance_km),
    createdAt: isoUtc(row.created_key),
    updatedAt: isoUtc(row.updated_key),
  };
}

export function toSchoolDetail(row: SchoolRow & { teachers: TeacherRow[] | null }): SchoolDetail {
  return { ...toSchool(row), teachers: (row.teachers ?? []).map(toTeacher) };
}
