import { z } from "@hono/zod-openapi";
import { isoUtc } from "../../lib/time";
import { UserCardSchema } from "../users";
import { TripVisibilitySchema } from "./travel.input";

/** Where a trip is read (`GET`, `PATCH`, `DELETE`): what a client opens from a link. */
export const tripPath = (id: number) => `/api/trips/${id}`;

export const TripSchema = z
  .object({
    id: z.number().int(),
    path: z.string().openapi({ description: "The trip's API path", example: "/api/trips/42" }),
    traveller: UserCardSchema,
    city: z.string(),
    country: z.string(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    startsOn: z.string().openapi({ format: "date", description: "The first day there" }),
    endsOn: z.string().openapi({ format: "date", description: "The last day there (included)" }),
    note: z.string().nullable(),
    visibility: TripVisibilitySchema,
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Trip");

export type Trip = z.infer<typeof TripSchema>;

/** A trip card as SQL selects it (`tripCardColumns`), or as jsonb stores it (an idempotent replay). */
export type TripCardRow = {
  id: number | string;
  user_id: number | string;
  username: string;
  name: string;
  profile_image: string | null;
  city: string;
  country: string;
  latitude: number | string | null;
  longitude: number | string | null;
  starts_on: string;
  ends_on: string;
  note: string | null;
  visibility: string;
  created_at: string;
  updated_at: string;
};

const coordinate = (value: number | string | null) => (value === null ? null : Number(value));

export function toTrip(row: TripCardRow): Trip {
  const id = Number(row.id);
  return {
    id,
    path: tripPath(id),
    traveller: { id: Number(row.user_id), username: row.username, name: row.name, profileImage: row.profile_image },
    city: row.city,
    country: row.country,
    latitude: coordinate(row.latitude),
    longitude: coordinate(row.longitude),
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    note: row.note,
    visibility: row.visibility as Trip["visibility"],
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
  };
}
