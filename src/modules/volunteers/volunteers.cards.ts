import { type SQL, sql } from "drizzle-orm";
import { organizesTask } from "./volunteers.conditions";

/**
 * The jsonb objects the statements answer with, in the API's shape (volunteers.schemas.ts),
 * built in SQL so that a profile, a task or an application with what hangs from it is read in
 * the same statement that wrote it.
 */

/** A user's card (`u` the users alias). */
export function userCardJson(u: SQL): SQL {
  return sql`jsonb_build_object('id', ${u}.id, 'username', ${u}.username, 'name', ${u}.name, 'profileImage', ${u}.profile_image)`;
}

/** An experience entry (`e` the volunteer_experiences alias). */
export function experienceJson(e: SQL): SQL {
  return sql`jsonb_build_object('id', ${e}.id, 'role', ${e}.role, 'organization', ${e}.organization,
    'description', ${e}.description, 'skills', to_jsonb(${e}.skills), 'startedOn', ${e}.started_on, 'endedOn', ${e}.ended_on,
    'createdAt', ${e}.created_at, 'updatedAt', ${e}.updated_at)`;
}

/**
 * A volunteer profile (`v` the volunteers alias, `u` its users row), with its weekly blocks and
 * its resume newest first; `mine` adds the coordinates and blocked dates only the owner sees.
 */
export function volunteerJson(v: SQL, u: SQL, mine: boolean): SQL {
  const own = mine
    ? sql`|| jsonb_build_object('latitude', ${v}.latitude, 'longitude', ${v}.longitude,
        'blockedDates', coalesce((SELECT jsonb_agg(b.day ORDER BY b.day) FROM volunteer_blocked_dates b WHERE b.volunteer_id = ${v}.id), '[]'::jsonb))`
    : sql``;
  return sql`(jsonb_build_object('id', ${v}.id, 'user', ${userCardJson(u)}, 'bio', ${v}.bio, 'skills', to_jsonb(${v}.skills),
    'languages', to_jsonb(${v}.languages), 'city', ${v}.city, 'country', ${v}.country, 'timezone', ${v}.timezone,
    'availability', coalesce((SELECT jsonb_agg(jsonb_build_object('weekday', a.weekday, 'start', a.start_time, 'end', a.end_time)
        ORDER BY a.weekday, a.start_time, a.end_time) FROM volunteer_availability a WHERE a.volunteer_id = ${v}.id), '[]'::jsonb),
    'experiences', coalesce((SELECT jsonb_agg(${experienceJson(sql`e`)} ORDER BY e.started_on DESC, e.id DESC)
        FROM volunteer_experiences e WHERE e.volunteer_id = ${v}.id), '[]'::jsonb),
    'tasksCompleted', ${v}.tasks_completed, 'noShows', ${v}.no_shows, 'minutesLogged', ${v}.minutes_logged,
    'createdAt', ${v}.created_at, 'updatedAt', ${v}.updated_at) ${own})`;
}

/**
 * A task as `viewerId` sees it (`t` the volunteer_tasks alias): its creator's card, whether the
 * viewer organizes it and the viewer's own application to it.
 */
export function taskJson(t: SQL, viewerId: number): SQL {
  return sql`(jsonb_build_object('id', ${t}.id,
    'createdBy', (SELECT ${userCardJson(sql`cu`)} FROM users cu WHERE cu.id = ${t}.created_by),
    'eventId', ${t}.event_id, 'groupId', ${t}.group_id, 'title', ${t}.title, 'description', ${t}.description,
    'skillsNeeded', to_jsonb(${t}.skills_needed), 'startsAt', ${t}.starts_at, 'endsAt', ${t}.ends_at, 'timezone', ${t}.timezone,
    'location', ${t}.location, 'city', ${t}.city, 'country', ${t}.country, 'latitude', ${t}.latitude, 'longitude', ${t}.longitude,
    'seats', ${t}.seats, 'seatsTaken', ${t}.seats_taken, 'applicationCount', ${t}.application_count, 'status', ${t}.status,
    'organizes', ${organizesTask(viewerId, t)},
    'application', (SELECT jsonb_build_object('id', ma.id, 'status', ma.status) FROM volunteer_assignments ma
      JOIN volunteers mv ON mv.id = ma.volunteer_id WHERE ma.task_id = ${t}.id AND mv.user_id = ${viewerId}),
    'createdAt', ${t}.created_at, 'updatedAt', ${t}.updated_at))`;
}

/** An application (`a` the volunteer_assignments alias, `t` its task, `v` its volunteer, `u` their users row). */
export function applicationJson(a: SQL, t: SQL, v: SQL, u: SQL): SQL {
  return sql`jsonb_build_object('id', ${a}.id,
    'task', jsonb_build_object('id', ${t}.id, 'title', ${t}.title, 'startsAt', ${t}.starts_at, 'endsAt', ${t}.ends_at, 'status', ${t}.status),
    'volunteer', jsonb_build_object('id', ${v}.id, 'user', ${userCardJson(u)}),
    'status', ${a}.status, 'message', ${a}.message, 'respondedAt', ${a}.responded_at, 'checkedInAt', ${a}.checked_in_at,
    'minutesLogged', ${a}.minutes_logged, 'createdAt', ${a}.created_at, 'updatedAt', ${a}.updated_at)`;
}
