import { z } from "@hono/zod-openapi";
import { STUDENT_STATUSES } from "../../../drizzle/directory";
import { isoUtc } from "../../lib/time";
import { UserCardSchema } from "../users";
import { type TeacherRow, TeacherSchema, toTeacher } from "./teachers.schemas";

/** A dancer's word that they study with a teacher, as the two of them (and, once approved, everyone) see it. */
export const StudentLinkSchema = z
  .object({
    id: z.number().int(),
    teacherId: z.number().int(),
    student: UserCardSchema,
    status: z.enum(STUDENT_STATUSES),
    message: z.string().nullable().openapi({ description: "The student's word to the teacher: only the two of them see it" }),
    createdAt: z.string().openapi({ format: "date-time" }),
    respondedAt: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("TeacherStudent");

/** One of the caller's teachers: the link and the teacher's card. */
export const MyTeacherSchema = z
  .object({
    id: z.number().int(),
    status: z.enum(STUDENT_STATUSES),
    createdAt: z.string().openapi({ format: "date-time" }),
    respondedAt: z.string().nullable().openapi({ format: "date-time" }),
    teacher: TeacherSchema,
  })
  .openapi("MyTeacher");

export type StudentLink = z.infer<typeof StudentLinkSchema>;
export type MyTeacher = z.infer<typeof MyTeacherSchema>;

export interface StudentLinkRow extends Record<string, unknown> {
  id: number;
  teacher_id: number;
  student_id: number;
  student_username: string;
  student_name: string;
  student_profile_image: string | null;
  status: string;
  message: string | null;
  created_key: string;
  responded_key: string | null;
}

export function toStudentLink(row: StudentLinkRow): StudentLink {
  return {
    id: Number(row.id),
    teacherId: Number(row.teacher_id),
    student: { id: Number(row.student_id), username: row.student_username, name: row.student_name, profileImage: row.student_profile_image },
    status: row.status as StudentLink["status"],
    message: row.message,
    createdAt: isoUtc(row.created_key),
    respondedAt: isoUtc(row.responded_key),
  };
}

export interface MyTeacherRow extends TeacherRow {
  link_id: number;
  link_status: string;
  link_created_key: string;
  link_responded_key: string | null;
}

export function toMyTeacher(row: MyTeacherRow): MyTeacher {
  return {
    id: Number(row.link_id),
    status: row.link_status as MyTeacher["status"],
    createdAt: isoUtc(row.link_created_key),
    respondedAt: isoUtc(row.link_responded_key),
    teacher: toTeacher(row),
  };
}
