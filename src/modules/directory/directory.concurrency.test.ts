import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { teacherProfiles, teacherReviews, teacherStudents, users } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createStudentLink, createTeacher } from "../../../test/directory";
import { useTestDatabase } from "../../../test/harness";

/**
 * The directory's counters under concurrency (real locking on PostgreSQL): `student_count`,
 * `review_count` and `rating_sum` move in the statement that writes, so they stay exact
 * however many writes meet on one teacher.
 */
const t = await useTestDatabase();

async function teacherRow(id: number) {
  const [row] = await t.db.select().from(teacherProfiles).where(eq(teacherProfiles.id, id));
  return row!;
}

describe("directory counters under concurrency", () => {
  it("counts every student when the teacher approves many at once, and each once", async () => {
    const teacher = await signedIn(t);
    const profile = await createTeacher(t.db, { userId: teacher.user.id });
    const students = await Promise.all(Array.from({ length: 8 }, () => signedIn(t)));
    const links = [];
    for (const s of students) links.push(await createStudentLink(t.db, { teacherId: profile.id, studentId: s.user.id }));
    const results = await Promise.all(
      links.flatMap((link) => [1, 2].map(() => t.api.post(`/api/teacher-students/${link.id}/approve`, { token: teacher.token }))),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect((await teacherRow(profile.id)).studentCount).toBe(8);
    await Promise.all(links.slice(0, 5).map((link, i) => t.api.delete(`/api/teacher-students/${link.id}`, { token: students[i]!.token })));
    const approved = await t.db.select().from(teacherStudents).where(eq(teacherStudents.teacherId, profile.id));
    expect((await teacherRow(profile.id)).studentCount).toBe(approved.length);
    expect(approved).toHaveLength(3);
  });

  it("keeps review_count and rating_sum exact when many dancers review at once", async () => {
    const owner = await signedIn(t);
    const profile = await createTeacher(t.db, { userId: owner.user.id });
    const dancers = await Promise.all(Array.from({ length: 10 }, () => signedIn(t)));
    for (const d of dancers) await createStudentLink(t.db, { teacherId: profile.id, studentId: d.user.id, status: "approved" });
    const results = await Promise.all(
      dancers.map((d, i) => t.api.post(`/api/teachers/${profile.id}/reviews`, { token: d.token, json: { rating: (i % 5) + 1 } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(await teacherRow(profile.id)).toMatchObject({ reviewCount: 10, ratingSum: 30 });
    const stored = await t.db.select().from(teacherReviews).where(eq(teacherReviews.teacherId, profile.id));
    await Promise.all(stored.slice(0, 4).map((r) => {
      const author = dancers.find((d) => d.user.id === r.userId)!;
      return t.api.patch(`/api/teachers/${profile.id}/reviews/${r.id}`, { token: author.token, json: { rating: 5 } });
    }));
    const after = await t.db.select().from(teacherReviews).where(eq(teacherReviews.teacherId, profile.id));
    expect(await teacherRow(profile.id)).toMatchObject({ reviewCount: 10, ratingSum: after.reduce((sum, r) => sum + r.rating, 0) });
  });

  it("a student request racing the teacher's suspension either lands or is a 404, never a 5xx", async () => {
    for (let round = 0; round < 3; round++) {
      const teacher = await signedIn(t);
      const profile = await createTeacher(t.db, { userId: teacher.user.id });
      const student = await signedIn(t);
      const [res] = await Promise.all([
        t.api.post(`/api/teachers/${profile.id}/students`, { token: student.token }),
        t.db.update(users).set({ suspended: true }).where(eq(users.id, teacher.user.id)),
      ]);
      expect([201, 404]).toContain(res.status);
      const links = await t.db.select().from(teacherStudents).where(eq(teacherStudents.teacherId, profile.id));
      expect(links).toHaveLength(res.status === 201 ? 1 : 0);
    }
  });
});
