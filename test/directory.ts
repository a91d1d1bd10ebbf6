import { schools, teacherLocations, teacherProfiles, teacherStudents, venues } from "../drizzle/schema";
import type { Db } from "../src/lib/db";
import { unique } from "./factories";

/** A teacher profile for `userId`, based in Buenos Aires unless overridden. */
export async function createTeacher(db: Db, overrides: Partial<typeof teacherProfiles.$inferInsert> & { userId: number }) {
  const [row] = await db
    .insert(teacherProfiles)
    .values({
      headline: `Tango teacher ${unique()}`,
      bio: "Classes and privates",
      styles: ["salon"],
      levels: ["beginner"],
      languages: ["es"],
      city: "Buenos Aires",
      country: "Argentina",
      ...overrides,
    })
    .returning();
  return row!;
}

/** A visit of a travelling teacher. */
export async function createVisit(
  db: Db,
  overrides: Partial<typeof teacherLocations.$inferInsert> & { teacherId: number; city: string; startsOn: string; endsOn: string },
) {
  const [row] = await db.insert(teacherLocations).values({ country: "Somewhere", ...overrides }).returning();
  return row!;
}

/** A student link (pending unless overridden). */
export async function createStudentLink(db: Db, overrides: Partial<typeof teacherStudents.$inferInsert> & { teacherId: number; studentId: number }) {
  const [row] = await db.insert(teacherStudents).values(overrides).returning();
  return row!;
}

/** A venue listed by `createdBy`, in Buenos Aires unless overridden. */
export async function createVenue(db: Db, overrides: Partial<typeof venues.$inferInsert> & { createdBy: number }) {
  const [row] = await db
    .insert(venues)
    .values({ name: `Salon ${unique()}`, description: "A milonga's home", address: "Calle 1", city: "Buenos Aires", country: "Argentina", ...overrides })
    .returning();
  return row!;
}

/** A school owned by `ownerId`. */
export async function createSchool(db: Db, overrides: Partial<typeof schools.$inferInsert> & { ownerId: number }) {
  const [row] = await db
    .insert(schools)
    .values({ name: `Escuela ${unique()}`, description: "Tango school", city: "Buenos Aires", country: "Argentina", ...overrides })
    .returning();
  return row!;
}
