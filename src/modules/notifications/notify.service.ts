import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../lib/db";
import { notBlockedBetween } from "../blocks/blocks.conditions";
import { ACTOR, NOTIFICATION_TEMPLATE, notificationEmail } from "./notifications.emails";

/** The notification types the app sends today; `notify` takes any `[a-z_]{1,64}` type. */
export const NOTIFICATION_TYPES = [
  "friend_request",
  "friend_accepted",
  "new_follower",
  "post_like",
  "post_comment",
  "mention",
  "event_rsvp",
  "event_reminder",
  "message",
  "role_changed",
] as const;

export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** A user or subject id, or SQL computing it inside the caller's statement (e.g. from a CTE). */
type Ref = number | SQL;

export interface NotifyInput {
  /** The recipient. */
  userId: Ref;
  type: NotificationType | (string & {});
  actorId?: Ref | null;
  subjectType?: string | null;
  subjectId?: Ref | null;
  data?: Record<string, unknown>;
}

export interface NotifyOptions {
  /** The web app's address, for the link in the email. */
  appUrl: string;
  /** Notify only when this holds, e.g. `EXISTS (SELECT 1 FROM liked)` for a like that was new. */
  when?: SQL;
  /** CTE name prefix, to put several notifications in one statement. */
  name?: string;
}

const TYPE = /^[a-z_]{1,64}$/;
const SUBJECT_TYPE = /^[a-z_]{1,32}$/;
const NAME = /^[a-z_]{1,32}$/;

const ref = (value: Ref | null | undefined) => (value === undefined || value === null ? sql`NULL` : sql`${value}`);

function escapeHtmlSql(text: SQL): SQL {
  return sql`replace(replace(replace(replace(replace(${text},
    '&', '&#38;'), '<', '&#60;'), '>', '&#62;'), '"', '&#34;'), '''', '&#39;')`;
}

/**
 * The CTEs of one notification, to fold into the caller's own `WITH` (names start with
 * `options.name`, default `notify`). All rules are in SQL: nothing for yourself, nothing
 * across a block (either way), nothing in-app when the recipient turned the type off
 * (`notification_preferences -> type -> inApp`, on when missing). An unread notification
 * of the same group (type, subject, actor) is bumped (`count + 1`) instead of repeated.
 * An email is queued only for a new event, not a bump, when the recipient turned `email`
 * on for the type (off when missing) and has a verified address on an active account, so
 * nobody can make us mail an address its owner never confirmed.
 */
export function notificationCtes(input: NotifyInput, options: NotifyOptions): SQL {
  const name = options.name ?? "notify";
  if (!TYPE.test(input.type)) throw new TypeError(`notification type must match ${String(TYPE)}: ${input.type}`);
  if (input.subjectType != null && !SUBJECT_TYPE.test(input.subjectType)) {
    throw new TypeError(`notification subjectType must match ${String(SUBJECT_TYPE)}: ${input.subjectType}`);
  }
  if (!NAME.test(name)) throw new TypeError(`notification CTE name must match ${String(NAME)}: ${name}`);
  const target = sql.identifier(`${name}_target`);
  const row = sql.identifier(`${name}_row`);
  const mail = sql.identifier(`${name}_mail`);
  const data = input.data ?? {};
  const email = notificationEmail(input.type, data, options.appUrl);
  return sql`
    ${target} AS (
      SELECT i.*,
        concat_ws(':', i.type, coalesce(i.subject_type, ''), coalesce(i.subject_id::text, ''), coalesce(i.actor_id::text, '')) AS group_key,
        (s.notification_preferences -> i.type -> 'inApp') IS DISTINCT FROM 'false'::jsonb AS in_app,
        coalesce((s.notification_preferences -> i.type -> 'email') = 'true'::jsonb, false)
          AND coalesce(u.is_verified, false) AND coalesce(u.is_active, true) AND NOT coalesce(u.suspended, false) AS by_email,
        u.email AS to_email,
        coalesce(nullif(btrim(regexp_replace(a.name, ${"[[:space:][:cntrl:]]+"}, ' ', 'g')), ''), a.username, 'Someone') AS actor_name
      FROM (
        SELECT (${ref(input.userId)})::int AS user_id, (${ref(input.actorId)})::int AS actor_id,
               ${input.type}::varchar AS type, ${input.subjectType ?? null}::varchar AS subject_type,
               (${ref(input.subjectId)})::int AS subject_id, ${JSON.stringify(data)}::jsonb AS data
      ) i
      JOIN users u ON u.id = i.user_id
      LEFT JOIN users a ON a.id = i.actor_id
      LEFT JOIN user_settings s ON s.user_id = i.user_id
      WHERE i.actor_id IS DISTINCT FROM i.user_id
        AND (i.actor_id IS NULL OR a.id IS NOT NULL)
        AND ${notBlockedBetween(sql`i.user_id`, sql`i.actor_id`)}
        AND ${options.when ?? sql`true`}
    ),
    ${row} AS (
      INSERT INTO notifications AS n (user_id, type, actor_id, subject_type, subject_id, data, group_key)
      SELECT user_id, type, actor_id, subject_type, subject_id, data, group_key FROM ${target} WHERE in_app
      ON CONFLICT (user_id, group_key) WHERE NOT is_read
      DO UPDATE SET count = n.count + 1, updated_at = now(), data = excluded.data
      RETURNING n.id, n.xmax = 0 AS created
    ),
    ${mail} AS (
      INSERT INTO email_queue (user_id, to_email, template, subject, body_text, body_html)
      SELECT user_id, to_email, ${NOTIFICATION_TEMPLATE},
             replace(${email.subject}, ${ACTOR}, actor_name),
             replace(${email.text}, ${ACTOR}, actor_name),
             replace(${email.html}, ${ACTOR}, ${escapeHtmlSql(sql`actor_name`)})
      FROM ${target}
      WHERE by_email AND (NOT in_app OR EXISTS (SELECT 1 FROM ${row} WHERE created))
      RETURNING id
    )`;
}

export interface NotifyResult {
  /** The new or bumped notification; null when none was due (self, block, preference). */
  notificationId: number | null;
  /** Emails queued (0 or 1). */
  emailsQueued: number;
}

/**
 * One notification as a single statement, not yet run: await it, or put it in a
 * `db.batch([...])` beside the write that caused it (one atomic round trip).
 *
 * @example
 * await db.batch([db.insert(follows).values(row), notification(db, { userId, type: "new_follower", actorId }, { appUrl })]);
 */
export function notification(db: Db, input: NotifyInput, options: NotifyOptions) {
  const name = options.name ?? "notify";
  return db.execute<{ notification_id: number | null; emails_queued: number }>(sql`
    WITH ${notificationCtes(input, options)}
    SELECT (SELECT id FROM ${sql.identifier(`${name}_row`)}) AS notification_id,
           (SELECT count(*) FROM ${sql.identifier(`${name}_mail`)})::int AS emails_queued`);
}

/** Sends one notification now (see {@link notificationCtes} for the rules). */
export async function notify(db: Db, input: NotifyInput, options: NotifyOptions): Promise<NotifyResult> {
  const { rows } = await notification(db, input, options);
  const row = rows[0];
  return {
    notificationId: row?.notification_id == null ? null : Number(row.notification_id),
    emailsQueued: Number(row?.emails_queued ?? 0),
  };
}
