import { sql } from "drizzle-orm";
import type { ActorCtx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { notBlockedBetween } from "../blocks";
import { accountUsable } from "../users";
import { experienceJson, volunteerJson } from "./volunteers.cards";
import { type ExperienceInput, type ProfileInput, type UpdateExperienceInput, VOLUNTEER_LIMITS } from "./volunteers.input";
import { refuseUnlessOk } from "./volunteers.policy";
import { type Experience, type MyVolunteer, toExperience, toMyVolunteer, toVolunteer, type Volunteer } from "./volunteers.schemas";

/** A text[] from a list of strings, bound as one jsonb parameter. */
export const textArray = (values: readonly string[]) => sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;

const myProfile = (me: number) => sql`SELECT ${volunteerJson(sql`v`, sql`u`, true)} AS profile
  FROM volunteers v JOIN users u ON u.id = v.user_id WHERE v.user_id = ${me}`;

/**
 * Creates or replaces the caller's profile, its weekly blocks and its blocked dates, as one
 * `db.batch` (one round trip, one transaction): the upsert first, which locks the profile row,
 * so that two saves at once are applied one after the other and the second's blocks replace
 * the first's (each later statement of the batch reads what committed before it); then the
 * blocks and dates replaced; then the profile read back.
 */
export async function putProfile({ db, actor }: ActorCtx, input: ProfileInput): Promise<{ profile: MyVolunteer; created: boolean }> {
  const me = actor.id;
  const mine = sql`(SELECT id FROM volunteers WHERE user_id = ${me})`;
  const [upserted, , , read] = await db.batch([
    db.execute<{ created: boolean }>(sql`
      INSERT INTO volunteers AS v (user_id, bio, skills, languages, city, country, latitude, longitude, timezone)
      VALUES (${me}, ${input.bio}, ${textArray(input.skills)}, ${textArray(input.languages)}, ${input.city}, ${input.country}, ${input.latitude}, ${input.longitude}, ${input.timezone})
      ON CONFLICT (user_id) DO UPDATE SET bio = excluded.bio, skills = excluded.skills, languages = excluded.languages,
        city = excluded.city, country = excluded.country, latitude = excluded.latitude, longitude = excluded.longitude,
        timezone = excluded.timezone, updated_at = now()
      RETURNING (xmax = 0) AS created`),
    db.execute(sql`
      WITH cleared AS (DELETE FROM volunteer_availability WHERE volunteer_id = ${mine})
      INSERT INTO volunteer_availability (volunteer_id, weekday, start_time, end_time)
      SELECT ${mine}, b.weekday, b.start, b."end"
      FROM jsonb_to_recordset(${JSON.stringify(input.availability)}::jsonb) AS b(weekday smallint, start varchar, "end" varchar)`),
    db.execute(sql`
      WITH days AS (SELECT d::date AS day FROM jsonb_array_elements_text(${JSON.stringify(input.blockedDates)}::jsonb) d),
      cleared AS (DELETE FROM volunteer_blocked_dates WHERE volunteer_id = ${mine} AND day NOT IN (SELECT day FROM days))
      INSERT INTO volunteer_blocked_dates (volunteer_id, day) SELECT ${mine}, day FROM days
      ON CONFLICT (volunteer_id, day) DO NOTHING`),
    db.execute<{ profile: Record<string, unknown> }>(myProfile(me)),
  ]);
  return { profile: toMyVolunteer(read.rows[0]!.profile), created: Boolean(upserted.rows[0]?.created) };
}

/** The caller's own profile, everything included. */
export async function getMyProfile({ db, actor }: ActorCtx): Promise<MyVolunteer> {
  const { rows } = await db.execute<{ profile: Record<string, unknown> }>(myProfile(actor.id));
  if (!rows[0]) throw notFound("volunteer profile");
  return toMyVolunteer(rows[0].profile);
}

/** A volunteer as another dancer sees them: 404 across a block either way, or for a suspended or closed account. */
export async function getVolunteer({ db, actor }: ActorCtx, input: { volunteerId: number }): Promise<Volunteer> {
  const { rows } = await db.execute<{ profile: Record<string, unknown> }>(sql`
    SELECT ${volunteerJson(sql`v`, sql`u`, false)} AS profile
    FROM volunteers v JOIN users u ON u.id = v.user_id
    WHERE v.id = ${input.volunteerId} AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(actor.id, sql`v.user_id`)}`);
  if (!rows[0]) throw notFound("volunteer");
  return toVolunteer(rows[0].profile);
}

/**
 * Deletes the caller's profile (its blocks, dates, resume and applications go with it) and
 * gives back what its applications held: the seats of accepted (checked-in, completed) ones and
 * the pending count of applied ones. One `db.batch`, locking as the application writes do: the
 * tasks it applied to first (an accept or a withdraw in flight finishes, and is counted as it
 * left the row), then the profile row, which holds off new applications (their insert needs a
 * key share of it); then one statement releases what the applications held and deletes it.
 */
export async function deleteProfile({ db, actor }: ActorCtx): Promise<void> {
  const [, , result] = await db.batch([
    db.execute(sql`SELECT t.id FROM volunteer_tasks t WHERE t.id IN (SELECT a.task_id FROM volunteer_assignments a
      JOIN volunteers v ON v.id = a.volunteer_id WHERE v.user_id = ${actor.id}) ORDER BY t.id FOR NO KEY UPDATE`),
    db.execute(sql`SELECT id FROM volunteers WHERE user_id = ${actor.id} FOR UPDATE`),
    db.execute<{ found: boolean }>(sql`
    WITH mine AS (
      SELECT a.task_id, a.status FROM volunteer_assignments a
      WHERE a.volunteer_id = (SELECT id FROM volunteers WHERE user_id = ${actor.id})
      ORDER BY a.id FOR UPDATE OF a
    ),
    held AS (
      SELECT task_id, count(*) FILTER (WHERE status IN ('accepted', 'checked_in', 'completed'))::int AS seats,
        count(*) FILTER (WHERE status = 'applied')::int AS pending
      FROM mine GROUP BY task_id
    ),
    released AS (
      UPDATE volunteer_tasks t SET seats_taken = t.seats_taken - held.seats, application_count = t.application_count - held.pending
      FROM held WHERE t.id = held.task_id AND (held.seats > 0 OR held.pending > 0)
      RETURNING t.id
    ),
    deleted AS (DELETE FROM volunteers WHERE user_id = ${actor.id} AND (SELECT count(*) FROM released) >= 0 RETURNING id)
    SELECT EXISTS (SELECT 1 FROM deleted) AS found`),
  ]);
  if (!result.rows[0]?.found) throw notFound("volunteer profile");
}

/** Adds an entry to the caller's resume (up to {@link VOLUNTEER_LIMITS.experiences}: 409 `too_many_experiences`). */
export async function addExperience({ db, actor }: ActorCtx, input: ExperienceInput): Promise<Experience> {
  const { rows } = await db.execute<{ outcome: string; experience: Record<string, unknown> | null }>(sql`
    WITH v AS (SELECT id FROM volunteers WHERE user_id = ${actor.id}),
    verdict AS (
      SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM v) THEN 'no_profile'
        WHEN (SELECT count(*) FROM volunteer_experiences e JOIN v ON e.volunteer_id = v.id) >= ${VOLUNTEER_LIMITS.experiences} THEN 'too_many_experiences'
        ELSE 'ok' END AS outcome
    ),
    inserted AS (
      INSERT INTO volunteer_experiences AS e (volunteer_id, role, organization, description, skills, started_on, ended_on)
      SELECT v.id, ${input.role}, ${input.organization}, ${input.description},
        ${textArray(input.skills)}, ${input.startedOn}::date, ${input.endedOn}::date
      FROM v JOIN verdict ON verdict.outcome = 'ok'
      RETURNING e.*
    )
    SELECT verdict.outcome, (SELECT ${experienceJson(sql`inserted`)} FROM inserted) AS experience FROM verdict`);
  refuseUnlessOk(rows[0]!.outcome);
  return toExperience(rows[0]!.experience!);
}

/**
 * Edits an entry of the caller's resume: any subset of its fields, the dates checked against
 * the stored ones (400 `ended_before_started`). Someone else's entry is a 404.
 */
export async function updateExperience(
  { db, actor }: ActorCtx,
  input: { experienceId: number } & UpdateExperienceInput,
): Promise<Experience> {
  const set = (field: keyof UpdateExperienceInput, column: string, value: unknown, cast = "") =>
    input[field] === undefined ? sql.raw(`e.${column}`) : sql`${value}${sql.raw(cast)}`;
  const skills = input.skills === undefined ? sql`e.skills` : textArray(input.skills);
  const startedOn = set("startedOn", "started_on", input.startedOn, "::date");
  const endedOn = set("endedOn", "ended_on", input.endedOn, "::date");
  const { rows } = await db.execute<{ outcome: string; experience: Record<string, unknown> | null }>(sql`
    WITH target AS (
      SELECT e.* FROM volunteer_experiences e JOIN volunteers v ON v.id = e.volunteer_id
      WHERE e.id = ${input.experienceId} AND v.user_id = ${actor.id} FOR UPDATE OF e
    ),
    verdict AS (
      SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM target) THEN 'experience_not_found'
        WHEN (SELECT ${endedOn} IS NOT NULL AND ${endedOn} < ${startedOn} FROM target e) THEN 'ended_before_started'
        ELSE 'ok' END AS outcome
    ),
    updated AS (
      UPDATE volunteer_experiences e SET role = ${set("role", "role", input.role)}, organization = ${set("organization", "organization", input.organization)},
        description = ${set("description", "description", input.description)}, skills = ${skills},
        started_on = ${startedOn}, ended_on = ${endedOn}, updated_at = now()
      FROM target JOIN verdict ON verdict.outcome = 'ok' WHERE e.id = target.id
      RETURNING e.*
    )
    SELECT verdict.outcome, (SELECT ${experienceJson(sql`updated`)} FROM updated) AS experience FROM verdict`);
  refuseUnlessOk(rows[0]!.outcome);
  return toExperience(rows[0]!.experience!);
}

/** Removes an entry of the caller's resume; someone else's is a 404. */
export async function deleteExperience({ db, actor }: ActorCtx, input: { experienceId: number }): Promise<void> {
  const { rows } = await db.execute<{ id: number }>(sql`
    DELETE FROM volunteer_experiences e USING volunteers v
    WHERE e.id = ${input.experienceId} AND v.id = e.volunteer_id AND v.user_id = ${actor.id} RETURNING e.id`);
  if (!rows[0]) throw notFound("experience");
}
