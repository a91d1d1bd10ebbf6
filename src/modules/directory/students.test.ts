import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, notifications, teacherProfiles, teacherStudents } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createStudentLink, createTeacher } from "../../../test/directory";
import { createUser } from "../../../test/factories";
import { type ApiResponse, useTestDatabase } from "../../../test/harness";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

async function studentCount(teacherId: number) {
  const [row] = await t.db.select({ n: teacherProfiles.studentCount }).from(teacherProfiles).where(eq(teacherProfiles.id, teacherId));
  return row!.n;
}

async function notified(userId: number, type: string) {
  return t.db.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.type, type)));
}

/** A teacher (signed in) and a student (signed in) who asked to study with them. */
async function requested() {
  const teacher = await signedIn(t);
  const profile = await createTeacher(t.db, { userId: teacher.user.id });
  const student = await signedIn(t);
  const res = await t.api.post(`/api/teachers/${profile.id}/students`, { token: student.token, json: { message: "I take your Tuesday class" } });
  expect(res.status).toBe(201);
  return { teacher, profile, student, link: res.body as { id: number } };
}

describe("POST /api/teachers/{id}/students", () => {
  it("makes a pending request, notifies the teacher, and answers the same request again (200)", async () => {
    const { teacher, profile, student, link } = await requested();
    expect(link).toMatchObject({ teacherId: profile.id, student: { id: student.user.id }, status: "pending", message: "I take your Tuesday class" });
    expect(await notified(teacher.user.id, "student_request")).toHaveLength(1);
    const again = await t.api.post(`/api/teachers/${profile.id}/students`, { token: student.token });
    expect([again.status, again.body.id, again.body.status]).toEqual([200, link.id, "pending"]);
    expect((await notified(teacher.user.id, "student_request"))[0]!.count).toBe(1);
  });

  it("stores one request however many arrive at once", async () => {
    const owner = await createUser(t.db);
    const profile = await createTeacher(t.db, { userId: owner.id });
    const student = await signedIn(t);
    const results = await Promise.all(Array.from({ length: 5 }, () => t.api.post(`/api/teachers/${profile.id}/students`, { token: student.token })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => (r.body as { id: number }).id)).size).toBe(1);
  });

  it("refuses yourself (400) and a teacher you may not see (404)", async () => {
    const me = await signedIn(t);
    const mine = await createTeacher(t.db, { userId: me.user.id });
    const self = await t.api.post(`/api/teachers/${mine.id}/students`, { token: me.token });
    expect([self.status, self.body.code]).toEqual([400, "cannot_study_with_self"]);
    const other = await createUser(t.db);
    const theirs = await createTeacher(t.db, { userId: other.id });
    await t.db.insert(blockedUsers).values({ blockerId: other.id, blockedId: me.user.id });
    expect((await t.api.post(`/api/teachers/${theirs.id}/students`, { token: me.token })).status).toBe(404);
    expect((await t.api.post(`/api/teachers/${theirs.id}/students`)).status).toBe(401);
  });
});

describe("approve, reject, end", () => {
  it("the teacher approves: approved, counted, student notified; again changes nothing", async () => {
    const { teacher, profile, student, link } = await requested();
    const res = await t.api.post(`/api/teacher-students/${link.id}/approve`, { token: teacher.token });
    expect([res.status, res.body.status]).toEqual([200, "approved"]);
    expect(res.body.respondedAt).toEqual(expect.any(String));
    expect(await studentCount(profile.id)).toBe(1);
    expect(await notified(student.user.id, "student_approved")).toHaveLength(1);
    expect((await t.api.post(`/api/teacher-students/${link.id}/approve`, { token: teacher.token })).status).toBe(200);
    expect(await studentCount(profile.id)).toBe(1);
  });

  it("counts one student when the teacher approves twice at once", async () => {
    for (let round = 0; round < 3; round++) {
      const { teacher, profile, link } = await requested();
      const results = await Promise.all(Array.from({ length: 4 }, () => t.api.post(`/api/teacher-students/${link.id}/approve`, { token: teacher.token })));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(await studentCount(profile.id)).toBe(1);
    }
  });

  it("keeps the count exact when an approval races the student ending it", async () => {
    for (let round = 0; round < 3; round++) {
      const { teacher, profile, student, link } = await requested();
      await Promise.all([
        t.api.post(`/api/teacher-students/${link.id}/approve`, { token: teacher.token }),
        t.api.delete(`/api/teacher-students/${link.id}`, { token: student.token }),
      ]);
      const left = await t.db.select().from(teacherStudents).where(eq(teacherStudents.id, link.id));
      expect(await studentCount(profile.id)).toBe(left.filter((row) => row.status === "approved").length);
    }
  });

  it("the student cannot approve or reject (403), a stranger cannot tell it exists (404)", async () => {
    const { student, link } = await requested();
    const own = await t.api.post(`/api/teacher-students/${link.id}/approve`, { token: student.token });
    expect([own.status, own.body.code]).toEqual([403, "not_the_teacher"]);
    expect((await t.api.post(`/api/teacher-students/${link.id}/reject`, { token: student.token })).status).toBe(403);
    const stranger = await signedIn(t);
    for (const res of [
      await t.api.post(`/api/teacher-students/${link.id}/approve`, { token: stranger.token }),
      await t.api.post(`/api/teacher-students/${link.id}/reject`, { token: stranger.token }),
      await t.api.delete(`/api/teacher-students/${link.id}`, { token: stranger.token }),
    ]) expect(res.status).toBe(404);
    expect((await t.api.post(`/api/teacher-students/${link.id}/approve`)).status).toBe(401);
  });

  it("the teacher rejects a pending request (not an approved student: 409); ending an approved one counts it off", async () => {
    const { teacher, profile, student, link } = await requested();
    const rejected = await t.api.post(`/api/teacher-students/${link.id}/reject`, { token: teacher.token });
    expect([rejected.status, rejected.body.status]).toEqual([200, "rejected"]);
    const asked = await t.api.post(`/api/teachers/${profile.id}/students`, { token: student.token });
    expect([asked.status, asked.body.status]).toEqual([200, "rejected"]);
    await t.api.post(`/api/teacher-students/${link.id}/approve`, { token: teacher.token });
    const late = await t.api.post(`/api/teacher-students/${link.id}/reject`, { token: teacher.token });
    expect([late.status, late.body.code]).toEqual([409, "student_not_pending"]);
    expect(await studentCount(profile.id)).toBe(1);
    expect((await t.api.delete(`/api/teacher-students/${link.id}`, { token: teacher.token })).status).toBe(204);
    expect(await studentCount(profile.id)).toBe(0);
    expect((await t.api.delete(`/api/teacher-students/${link.id}`, { token: teacher.token })).status).toBe(404);
  });
});

describe("GET /api/teachers/{id}/students and /api/users/me/teachers", () => {
  it("lists approved students for everybody and the pending ones for the teacher, page by page", async () => {
    const teacher = await signedIn(t);
    const profile = await createTeacher(t.db, { userId: teacher.user.id });
    const students = await Promise.all(Array.from({ length: 5 }, () => createUser(t.db)));
    for (const [i, s] of students.entries()) {
      await createStudentLink(t.db, { teacherId: profile.id, studentId: s.id, status: i < 3 ? "approved" : i === 3 ? "pending" : "rejected", message: "hi" });
    }
    const pages = async (token?: string) => {
      const seen: { id: number; status: string; message: string | null }[] = [];
      let cursor: string | null = null;
      do {
        const res: ApiResponse = await t.api.get(`/api/teachers/${profile.id}/students?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { token });
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((i: { student: { id: number }; status: string; message: string | null }) => ({ id: i.student.id, status: i.status, message: i.message })));
        cursor = res.body.nextCursor;
      } while (cursor);
      return seen;
    };
    const sortedDesc = (list: number[]) => [...list].sort((a, b) => b - a);
    const everyone = await pages();
    expect(everyone.map((s) => s.id)).toEqual(sortedDesc(students.slice(0, 3).map((s) => s.id)));
    expect(everyone.every((s) => s.message === null)).toBe(true);
    const forTeacher = await pages(teacher.token);
    expect(forTeacher.map((s) => s.id)).toEqual(sortedDesc(students.slice(0, 4).map((s) => s.id)));
    expect(forTeacher.every((s) => s.message === "hi")).toBe(true);
    const bad = await t.api.get(`/api/teachers/${profile.id}/students?cursor=${encodeCursor(["x"])}`);
    expect([bad.status, bad.body.code]).toEqual([400, "invalid_cursor"]);
  });

  it("lists the caller's teachers, newest request first, by cursor", async () => {
    const me = await signedIn(t);
    const profiles = [];
    for (let i = 0; i < 3; i++) {
      const profile = await createTeacher(t.db, { userId: (await createUser(t.db)).id });
      await t.api.post(`/api/teachers/${profile.id}/students`, { token: me.token });
      profiles.push(profile.id);
    }
    const first = await t.api.get("/api/users/me/teachers?limit=2", { token: me.token });
    const second = await t.api.get(`/api/users/me/teachers?limit=2&cursor=${first.body.nextCursor}`, { token: me.token });
    expect([...first.body.items, ...second.body.items].map((i: { teacher: { id: number } }) => i.teacher.id)).toEqual(profiles.reverse());
    expect(second.body.nextCursor).toBeNull();
    expect(first.body.items[0].status).toBe("pending");
    expect((await t.api.get("/api/users/me/teachers")).status).toBe(401);
  });
});
