/**
 * The synthetic tango world the scale benchmarks run on (issue 17): a contract filled in by the
 * generator. `openWorld(scale)` gives a migrated database holding a realistic network of `scale`
 * dancers, and the ids of the dancers, posts, events and rooms each benchmark looks at.
 */
import type { Db } from "../src/lib/db";

/** Well-known rows of a generated world (stored in the world so a kept database gives them back). */
export interface WorldIds {
  /** The most-followed dancer (tens of thousands of followers at 100k). */
  celebrity: number;
  /** A public post of the celebrity's, with many likes and comments. */
  celebrityPost: number;
  /** One viewer per follower class: ~30 followees, ~30 with the celebrity among them, ~300, ~3,000, and ~3,000 whose posts are mostly friends-only. */
  viewers: Record<"light" | "celebrity" | "medium" | "heavy" | "heavyClosed", number>;
  /** A dancer with many friends (suggestions, mutual friends), and dancers at degree 2 and 3 from them. */
  social: number;
  degree2: number;
  degree3: number;
  /** The largest city, with its coordinates. */
  city: { name: string; country: string; lat: number; lng: number };
  /** A popular hashtag (without '#') and a search term that matches many dancers and posts. */
  hashtag: string;
  searchTerm: string;
  /** An upcoming event in the largest city with many RSVPs, and a dancer who has not answered it. */
  event: number;
  rsvpCandidate: number;
  /** A chat room with many messages, a member of it, and a dancer in many rooms (the rooms list). */
  room: number;
  roomMember: number;
  chatUser: number;
  /** A dancer who travels: trips and bookings (the trip planner), and a city with many listings. */
  traveller: number;
  listingCity: { name: string; country: string };
}

export interface World {
  scale: number;
  engine: "PostgreSQL" | "PGlite";
  /** e.g. `PostgreSQL 15.18` or `PGlite (Postgres 18.0)`. */
  engineVersion: string;
  db: Db;
  databaseUrl: string;
  fetchEndpoint: string;
  ids: WorldIds;
  /** Rows per table after generation. */
  counts: Record<string, number>;
  /** Seconds the generation took, or null when a kept world was reused. */
  generatedSeconds: number | null;
  close(): Promise<void>;
}

export async function openWorld(scale: number, options: { engine: "postgres" | "pglite"; keep?: boolean }): Promise<World> {
  void scale;
  void options;
  return Promise.reject(new Error("the world generator is not written yet"));
}
