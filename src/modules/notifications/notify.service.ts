import { is, SQL, sql } from "drizzle-orm";
import type { Db } from "../../lib/db";
import { notBlockedBetween } from "../blocks";
import { NOTIFICATION_TEMPLATE } from "./notifications.emails";
import { NOTIFICATION_WRITE_MARK } from "./notify.watch";

/** The notification types the app sends today; `notify` takes any `[a-z_]{1,64}` type. */
export const NOTIFICATION_TYPES = [
  "friend_request",
  "friend_accepted",
  "new_follower",
  "post_like",
  "post_comment",
  "comment_reply",
  "comment_like",
  "post_share",
  "mention",
  "event_rsvp",
  "event_series_cancelled",
  "event_reminder",
  "event_waitlist_promoted",
  "event_cancelled",
  "event_co_organizer",
  "message",
  "role_changed",
  "group_join_request",
  "group_join_approved",
  "event_review",
  "booking_requested",
  "booking_approved",
  "booking_rejected",
  "booking_cancelled",
  "booking_completed",
  "housing_review",
  "student_request",
  "student_approved",
  "teacher_review",
  "venue_review",
  "volunteer_application",
  "volunteer_accepted",
  "volunteer_declined",
  "volunteer_task_cancelled",
  "friend_trip",
] as const;

export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** A user or subject id, or SQL computing it per recipient (it may read the `recipient` row). */
type Ref = number | SQL;

/**
 * Who is notified: a list of user ids, or `{ from }`, a SQL `FROM` item yielding a `user_id`
 * column (a CTE's name, or an aliased subquery: `sql\`(SELECT user_id FROM event_rsvps WHERE
 * event_id = ${id}) going\``). Its row is in scope as `recipient` for the SQL in the input, so
 * each recipient can have its own subject or data (`subjectId: sql\`recipient.event_id\``).
 * A recipient listed twice is notified once.
 */
export type Recipients = readonly number[] | { from: SQL };

export interface NotifyInput {
  /** The recipients (see {@link Recipients}); the actor among them is skipped. */
  to: Recipients;
  type: NotificationType | (string & {});
  actorId?: Ref | null;
  subjectType?: string | null;
  subjectId?: Ref | null;
  /** Shown in the app and used by the email (e.g. `eventTitle`); SQL for a per-recipient jsonb. */
  data?: Record<string, unknown> | SQL;
  /**
   * What folds into one unread notification: `"actor"` (the default) the repeats of one actor
   * on one subject; `"subject"` everyone's on one subject ("Ana and 12 others liked your
   * post"): the row shows the latest actor, `count` the distinct actors (remembered in
   * `data.actorIds`, the latest {@link SUBJECT_ACTORS_KEPT}: an actor who comes back after
   * that many others counts again).
   */
  coalesce?: "actor" | "subject";
}

/** How many recent actors a subject-coalesced notification remembers, to count each once. */
export const SUBJECT_ACTORS_KEPT = 50;

export interface NotifyOptions {
  /** Notify only when this holds, e.g. `EXISTS (SELECT 1 FROM liked)` for a like that was new. */
  when?: SQL;
  /** CTE name prefix, to put several notifications in one statement. */
  name?: string;
}

const TYPE = /^[a-z_]{1,64}$/;
const SUBJECT_TYPE = /^[a-z_]{1,32}$/;
const NAME = /^[a-z_]{1,32}$/;

const ref = (value: Ref | null | undefined) => (value === undefined || value === null ? sql`NULL` : sql`${value}`);

function recipientsFrom(to: Recipients): SQL {
  if ("from" in to) return sql`(SELECT * FROM ${to.from})`;
  for (const id of to) {
    if (!Number.isSafeInteger(id)) throw new TypeError(`notification recipients must be user ids: ${String(id)}`);
  }
  return sql`(SELECT value::int AS user_id FROM jsonb_array_elements_text(${JSON.stringify(to)}::jsonb))`;
}

/**
 * The CTEs of one notification to a set of recipients, to fold into the caller's own `WITH`
 * (names start with `options.name`, default `notify`; {@link notificationCounts} reads
 * them). All rules are in SQL, per recipient: nothing for yourself, nothing across a block
 * (either way), nothing in-app when the recipient turned the type off
 * (`notification_preferences -> type -> inApp`, on when missing). An unread notification of
 * the same group (type, subject, actor) is bumped (`count + 1`) instead of repeated. An email
 * is queued only for a new event, not a bump, when the recipient turned `email` on for the
 * type (off when missing) and has a verified address on an active account, so nobody can
 * make us mail an address its owner never confirmed. With `coalesce: "subject"` the group is
 * (type, subject) and the bump counts distinct actors (see {@link NotifyInput.coalesce}). The email row holds the type, the
 * actor's name and the data; the email job renders it when it sends it. Recipients are
 * written in id order, so concurrent fan-outs to overlapping sets do not deadlock. The SQL
 * carries {@link NOTIFICATION_WRITE_MARK}, so a watch (notify.watch.ts: the live channels)
 * learns who was notified without a round trip.
 */
export function notificationCtes(input: NotifyInput, options: NotifyOptions = {}): SQL {
  const name = options.name ?? "notify";
  if (!TYPE.test(input.type)) throw new TypeError(`notification type must match ${String(TYPE)}: ${input.type}`);
  if (input.subjectType != null && !SUBJECT_TYPE.test(input.subjectType)) {
    throw new TypeError(`notification subjectType must match ${String(SUBJECT_TYPE)}: ${input.subjectType}`);
  }
  if (!NAME.test(name)) throw new TypeError(`notification CTE name must match ${String(NAME)}: ${name}`);
  const target = sql.identifier(`${name}_target`);
  const row = sql.identifier(`${name}_row`);
  const mail = sql.identifier(`${name}_mail`);
  const data = input.data === undefined ? sql`'{}'` : is(input.data, SQL) ? input.data : sql`${JSON.stringify(input.data)}`;
  const bySubject = input.coalesce === "subject";
  // A subject-coalesced row counts distinct actors: a bump by an actor it remembers changes
  // only who is shown first.
  const bump = bySubject
    ? sql`count = n.count + CASE WHEN n.data -> 'actorIds' @> to_jsonb(excluded.actor_id) THEN 0 ELSE 1 END,
        actor_id = excluded.actor_id, updated_at = now(),
        data = excluded.data || jsonb_build_object('actorIds', (
          SELECT coalesce(jsonb_agg(kept.id ORDER BY kept.pos), '[]'::jsonb) FROM (
            SELECT seen.id, seen.pos FROM (
              SELECT x.id, x.pos FROM jsonb_array_elements(coalesce(n.data -> 'actorIds', '[]'::jsonb)) WITH ORDINALITY AS x(id, pos)
              WHERE x.id <> to_jsonb(excluded.actor_id)
              UNION ALL SELECT to_jsonb(excluded.actor_id), ${Number.MAX_SAFE_INTEGER}::bigint
            ) seen
            ORDER BY seen.pos DESC LIMIT ${SUBJECT_ACTORS_KEPT}
          ) kept))`
    : sql`count = n.count + 1, updated_at = now(), data = excluded.data`;
  return sql`
    ${target} AS (
      SELECT DISTINCT ON (i.user_id, i.group_key) i.*,
        (s.notification_preferences -> i.type -> 'inApp') IS DISTINCT FROM 'false'::jsonb AS in_app,
        coalesce((s.notification_preferences -> i.type -> 'email') = 'true'::jsonb, false)
          AND coalesce(u.is_verified, false) AND coalesce(u.is_active, true) AND NOT coalesce(u.suspended, false) AS by_email,
        u.email AS to_email,
        CASE WHEN a.id IS NOT NULL THEN
          coalesce(nullif(btrim(regexp_replace(a.name, ${"[[:space:][:cntrl:]]+"}, ' ', 'g')), ''), a.username) END AS actor_name
      FROM (
        SELECT x.*, concat_ws(':', x.type, coalesce(x.subject_type, ''), coalesce(x.subject_id::text, ''),
                              ${bySubject ? sql`'*'` : sql`coalesce(x.actor_id::text, '')`}) AS group_key
        FROM (
          SELECT (recipient.user_id)::int AS user_id, (${ref(input.actorId)})::int AS actor_id,
                 ${input.type}::varchar AS type, ${input.subjectType ?? null}::varchar AS subject_type,
                 (${ref(input.subjectId)})::int AS subject_id,
                 coalesce((${data})::jsonb, '{}'::jsonb)
                   ${bySubject ? sql`|| jsonb_build_object('actorIds', jsonb_build_array((${ref(input.actorId)})::int))` : sql``} AS data
          FROM ${recipientsFrom(input.to)} recipient
        ) x
      ) i
      JOIN users u ON u.id = i.user_id
      LEFT JOIN users a ON a.id = i.actor_id
      LEFT JOIN user_settings s ON s.user_id = i.user_id
      WHERE i.actor_id IS DISTINCT FROM i.user_id
        AND (i.actor_id IS NULL OR a.id IS NOT NULL)
        AND ${notBlockedBetween(sql`i.user_id`, sql`i.actor_id`)}
        AND ${options.when ?? sql`true`}
      ORDER BY i.user_id, i.group_key
    ),
    ${row} AS (
      ${sql.raw(NOTIFICATION_WRITE_MARK)}
      INSERT INTO notifications AS n (user_id, type, actor_id, subject_type, subject_id, data, group_key)
      SELECT user_id, type, actor_id, subject_type, subject_id, data, group_key FROM ${target} WHERE in_app
      ORDER BY user_id, group_key
      ON CONFLICT (user_id, group_key) WHERE NOT is_read
      DO UPDATE SET ${bump}
      RETURNING n.user_id, n.group_key, n.xmax = 0 AS created
    ),
    ${mail} AS (
      INSERT INTO email_queue (user_id, to_email, template, subject, body_text, data)
      SELECT t.user_id, t.to_email, ${NOTIFICATION_TEMPLATE}, '', '',
             jsonb_build_object('type', t.type, 'actorName', t.actor_name, 'data', t.data)
      FROM ${target} t LEFT JOIN ${row} r ON r.user_id = t.user_id AND r.group_key = t.group_key
      WHERE t.by_email AND (NOT t.in_app OR coalesce(r.created, false))
      ORDER BY t.user_id
      RETURNING id
    )`;
}

/**
 * The counts of the notification CTEs named `name` (default `notify`) as three columns,
 * `created`, `bumped` and `emails_queued`, for the caller's final `SELECT`.
 */
export function notificationCounts(name = "notify"): SQL {
  if (!NAME.test(name)) throw new TypeError(`notification CTE name must match ${String(NAME)}: ${name}`);
  const row = sql.identifier(`${name}_row`);
  return sql`(SELECT count(*) FILTER (WHERE created) FROM ${row})::int AS created,
    (SELECT count(*) FILTER (WHERE NOT created) FROM ${row})::int AS bumped,
    (SELECT count(*) FROM ${sql.identifier(`${name}_mail`)})::int AS emails_queued`;
}

export interface NotifyResult {
  /** New in-app notifications. */
  created: number;
  /** Unread notifications of the same group that were bumped (`count + 1`) instead. */
  bumped: number;
  /** Emails queued (only for new events, never for a bump). */
  emailsQueued: number;
}

/**
 * One notification to a set of recipients as a single statement, not yet run: await it, or
 * put it in a `db.batch([...])` beside the write that caused it (one atomic round trip).
 *
 * @example
 * await db.batch([db.insert(follows).values(row), notification(db, { to: [userId], type: "new_follower", actorId })]);
 */
export function notification(db: Db, input: NotifyInput, options: NotifyOptions = {}) {
  return db.execute<{ created: number; bumped: number; emails_queued: number }>(sql`
    WITH ${notificationCtes(input, options)}
    SELECT ${notificationCounts(options.name)}`);
}

/** Notifies a set of recipients now, in one statement (see {@link notificationCtes} for the rules). */
export async function notify(db: Db, input: NotifyInput, options: NotifyOptions = {}): Promise<NotifyResult> {
  const { rows } = await notification(db, input, options);
  const row = rows[0];
  return {
    created: Number(row?.created ?? 0),
    bumped: Number(row?.bumped ?? 0),
    emailsQueued: Number(row?.emails_queued ?? 0),
  };
}
