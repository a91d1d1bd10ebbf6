import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx } from "../../lib/context";
import { type Page, type PageRequest, sortedPage, TimeIdCursor } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { MODERATION_TARGETS } from "../../../drizzle/moderation";
import { removeEvents, setEventsHidden } from "../events";
import { removeComments, removePosts, setCommentsHidden, setPostsHidden } from "../posts";
import { removeGroups, setGroupsHidden } from "../groups";
import { suspendAccounts } from "../users";
import { auditCte } from "../audit";
import {
  ACTION_TARGETS,
  AUTO_HIDE_THRESHOLD,
  type DecisionRefusal,
  decisionError,
  ITEM_DETAIL_LIMIT,
  type ResolveAction,
} from "./moderation.policy";
import {
  type ActionJson,
  type CardJson,
  type Decision,
  type ModerationTarget,
  type QueueItem,
  type QueueItemDetail,
  toAction,
  toCard,
} from "./moderation.schemas";

/** A user card built in SQL from the users row aliased `alias` (null when there is none). */
function card(alias: string): SQL {
  const u = sql.raw(alias);
  return sql`CASE WHEN ${u}.id IS NULL THEN NULL ELSE json_build_object('id', ${u}.id, 'username', ${u}.username,
    'name', ${u}.name, 'profileImage', ${u}.profile_image) END`;
}

/**
 * A queue item with its target as it is now, from `source` (moderation_queue, or a CTE
 * RETURNING its rows) aliased `q`: the post, comment, event (its title as the content) or group
 * (its name as the content) and its author, organizer or creator, or the reported user; who
 * claimed and resolved it; and its reports counted per reason.
 */
function itemSelect(source: SQL): SQL {
  return sql`SELECT q.id, q.status, q.target_type, q.target_id, q.report_count, q.claimed_at, q.resolved_at,
      q.resolution, q.created_at, q.updated_at, q.created_at::text AS sort_time,
      CASE q.target_type WHEN 'post' THEN p.id IS NOT NULL WHEN 'comment' THEN c.id IS NOT NULL
        WHEN 'event' THEN ev.id IS NOT NULL WHEN 'group' THEN gr.id IS NOT NULL ELSE o.id IS NOT NULL END AS target_exists,
      ${card("o")} AS owner, coalesce(o.suspended, false) AS owner_suspended,
      coalesce(p.content, c.content, ev.title, gr.name) AS content,
      CASE q.target_type WHEN 'post' THEN p.id WHEN 'comment' THEN c.post_id END AS post_id,
      coalesce(p.hidden_at, c.hidden_at, ev.hidden_at, gr.hidden_at) IS NOT NULL AS hidden,
      ${card("cb")} AS claimed_by, ${card("rb")} AS resolved_by, rs.reasons
    FROM ${source} q
    LEFT JOIN posts p ON q.target_type = 'post' AND p.id = q.target_id
    LEFT JOIN post_comments c ON q.target_type = 'comment' AND c.id = q.target_id
    LEFT JOIN events ev ON q.target_type = 'event' AND ev.id = q.target_id
    LEFT JOIN groups gr ON q.target_type = 'group' AND gr.id = q.target_id
    LEFT JOIN users o ON o.id = coalesce(p.user_id, c.user_id, ev.user_id, q.target_owner_id)
    LEFT JOIN users cb ON cb.id = q.claimed_by
    LEFT JOIN users rb ON rb.id = q.resolved_by
    CROSS JOIN LATERAL (
      SELECT coalesce(json_object_agg(reason, n), '{}'::json) AS reasons
      FROM (SELECT reason, count(*)::int AS n FROM reports r WHERE r.queue_id = q.id GROUP BY reason) counted
    ) rs`;
}

interface ItemRow extends Record<string, unknown> {
  id: number;
  status: QueueItem["status"];
  target_type: ModerationTarget;
  target_id: number;
  report_count: number;
  claimed_at: string | null;
  resolved_at: string | null;
  resolution: string | null;
  created_at: string;
  updated_at: string;
  sort_time: string;
  target_exists: boolean;
  owner: CardJson | null;
  owner_suspended: boolean;
  content: string | null;
  post_id: number | null;
  hidden: boolean;
  claimed_by: CardJson | null;
  resolved_by: CardJson | null;
  reasons: Record<string, number>;
}

function toItem(row: ItemRow): QueueItem {
  return {
    id: Number(row.id),
    status: row.status,
    target: {
      type: row.target_type,
      id: Number(row.target_id),
      exists: row.target_exists,
      owner: toCard(row.owner),
      content: row.content,
      postId: row.post_id === null ? null : Number(row.post_id),
      hidden: row.hidden,
      suspended: row.owner_suspended,
    },
    reportCount: Number(row.report_count),
    reasons: row.reasons,
    claimedBy: toCard(row.claimed_by),
    claimedAt: isoUtc(row.claimed_at),
    resolvedBy: toCard(row.resolved_by),
    resolvedAt: isoUtc(row.resolved_at),
    resolution: row.resolution,
    createdAt: isoUtc(row.created_at),
    updatedAt: isoUtc(row.updated_at),
  };
}

/**
 * The queue, oldest first (the longest-waiting report is worked first), by keyset over
 * `(created_at, id)`. `open` is pending and claimed items together.
 */
export async function listQueue(
  { db }: ActorCtx,
  input: PageRequest & { status: "open" | QueueItem["status"] },
): Promise<Page<QueueItem>> {
  const statuses = input.status === "open" ? ["pending", "claimed"] : [input.status];
  return sortedPage(
    input,
    { by: [sql`q.created_at`, sql`q.id`], direction: "asc", cursor: TimeIdCursor },
    async (keyset) => {
      const { rows } = await db.execute<ItemRow>(sql`
        ${itemSelect(sql`moderation_queue`)}
        WHERE q.status IN (${sql.join(statuses.map((s) => sql`${s}`), sql`, `)}) AND ${keyset.after}
        ORDER BY ${keyset.order} LIMIT ${keyset.limit}`);
      return rows;
    },
    { item: toItem, key: (row) => [row.sort_time, Number(row.id)] as TimeIdCursor },
  );
}

/** One queue item with its reports (reporters' cards, reasons, details) and its actions, oldest first. */
export async function getQueueItem({ db }: ActorCtx, input: { id: number }): Promise<QueueItemDetail | null> {
  const { rows } = await db.execute<ItemRow & { reports: unknown[]; actions: ActionJson[] }>(sql`
    SELECT item.*,
      (SELECT coalesce(json_agg(x ORDER BY x.created_at, x.id), '[]'::json) FROM (
        SELECT r.id, r.reason, r.details, r.created_at, ${card("u")} AS reporter
        FROM reports r JOIN users u ON u.id = r.reporter_id
        WHERE r.queue_id = item.id ORDER BY r.created_at, r.id LIMIT ${ITEM_DETAIL_LIMIT}) x) AS reports,
      (SELECT coalesce(json_agg(x ORDER BY x.created_at, x.id), '[]'::json) FROM (
        SELECT a.id, a.action, a.note, a.snapshot, a.created_at, ${card("m")} AS moderator
        FROM moderation_actions a LEFT JOIN users m ON m.id = a.moderator_id
        WHERE a.queue_id = item.id ORDER BY a.created_at, a.id LIMIT ${ITEM_DETAIL_LIMIT}) x) AS actions
    FROM (${itemSelect(sql`moderation_queue`)} WHERE q.id = ${input.id}) item`);
  const row = rows[0];
  if (!row) return null;
  const reports = row.reports as { id: number; reason: string; details: string | null; created_at: string; reporter: CardJson }[];
  return {
    ...toItem(row),
    reports: reports.map((r) => ({
      id: Number(r.id),
      reporter: toCard(r.reporter)!,
      reason: r.reason,
      details: r.details,
      createdAt: isoUtc(r.created_at),
    })),
    actions: row.actions.map(toAction),
  };
}

/**
 * Why a decision changed nothing, from the item as the statement's snapshot saw it (`cur`,
 * its columns null when there is no such item). An item that looked open was closed or
 * claimed by a racing decision the statement waited for: 'closed' and 'claimed_by_other'.
 */
function refusal(actorId: number, extra: SQL = sql``): SQL<DecisionRefusal> {
  return sql<DecisionRefusal>`CASE
    WHEN cur.id IS NULL THEN 'missing'
    WHEN cur.status NOT IN ('pending', 'claimed') THEN 'closed'
    WHEN cur.status = 'claimed' AND cur.claimed_by <> ${actorId} THEN 'claimed_by_other'
    ${extra}
    ELSE 'closed' END`;
}

/**
 * The moderator claims a pending item, so that no one else decides it meanwhile (409
 * `claimed_by_other` for a second moderator; claiming again is a no-op for the same one).
 * The first claim is recorded as a `claim` action.
 */
export async function claimQueueItem({ db, actor, logger }: ActorCtx, input: { id: number }): Promise<QueueItem> {
  const { rows } = await db.execute<ItemRow & { refusal: DecisionRefusal }>(sql`
    WITH claimed AS (
      UPDATE moderation_queue SET status = 'claimed', claimed_by = ${actor.id},
        claimed_at = CASE WHEN status = 'pending' THEN now() ELSE claimed_at END,
        updated_at = CASE WHEN status = 'pending' THEN now() ELSE updated_at END
      WHERE id = ${input.id} AND (status = 'pending' OR (status = 'claimed' AND claimed_by = ${actor.id}))
      -- A first claim sets claimed_at to this transaction's time; a repeated one keeps the earlier time.
      RETURNING *, claimed_at = now() AS first_claim
    ),
    recorded AS (
      INSERT INTO moderation_actions (queue_id, moderator_id, target_type, target_id, action)
      SELECT id, ${actor.id}, target_type, target_id, 'claim' FROM claimed WHERE first_claim
    ),
    -- A first claim is the only one that changes the item, and only a pending item can be claimed first.
    ${auditCte({
      actorId: actor.id,
      action: "moderation.claim",
      objectType: "moderation_item",
      from: sql`claimed WHERE first_claim`,
      objectId: sql`claimed.id`,
      before: sql`jsonb_build_object('status', 'pending', 'claimed_by', NULL)`,
      after: sql`jsonb_build_object('status', claimed.status, 'claimed_by', claimed.claimed_by)`,
    })}
    SELECT item.*, ${refusal(actor.id, sql`WHEN cur.status = 'pending' THEN 'claimed_by_other'`)} AS refusal
    FROM (SELECT 1) one
    LEFT JOIN (SELECT id, status, claimed_by FROM moderation_queue WHERE id = ${input.id}) cur ON true
    LEFT JOIN (${itemSelect(sql`claimed`)}) item ON true`);
  const row = rows[0]!;
  if (row.id === null) throw decisionError(row.refusal);
  logger.info("queue item claimed", { queueId: input.id });
  return toItem(row);
}

interface Effects {
  /** CTEs applying the decision to the target, after `item` (the closed queue item). */
  ctes: SQL;
  /** Whether they changed anything. */
  applied: SQL;
  /** What the action records as `snapshot`. */
  snapshot: SQL;
}

const postIds = sql`SELECT target_id FROM item WHERE target_type = 'post'`;
const commentIds = sql`SELECT target_id FROM item WHERE target_type = 'comment'`;
const eventIds = sql`SELECT target_id FROM item WHERE target_type = 'event'`;
const groupIds = sql`SELECT target_id FROM item WHERE target_type = 'group'`;

function hiding(hidden: boolean, posts: SQL = postIds, comments: SQL = commentIds, events: SQL = eventIds, groups: SQL = groupIds): Effects {
  return {
    ctes: sql`, posts_changed AS (${setPostsHidden(posts, hidden)}),
      comments_changed AS (${setCommentsHidden(comments, hidden)}),
      events_changed AS (${setEventsHidden(events, hidden)}),
      groups_changed AS (${setGroupsHidden(groups, hidden)})`,
    applied: sql`EXISTS (SELECT 1 FROM posts_changed) OR EXISTS (SELECT 1 FROM comments_changed)
      OR EXISTS (SELECT 1 FROM events_changed) OR EXISTS (SELECT 1 FROM groups_changed)`,
    snapshot: sql`NULL`,
  };
}

/** What each decision does to the target, folded into the statement that closes the item. */
function effectsOf(action: ResolveAction | "dismiss"): Effects {
  switch (action) {
    case "hide":
      return hiding(true);
    case "unhide":
      return hiding(false);
    case "dismiss": {
      // Content hidden by this item's reports is shown again. An open item reaching the
      // threshold is what hid it (hidden content cannot be reported by anyone else), and the
      // count is read from the item row the statement closed, so a report that hid the
      // content while this waited for the item's lock is seen too.
      const due = (type: ModerationTarget) =>
        sql`SELECT target_id FROM item WHERE target_type = ${type} AND report_count >= ${AUTO_HIDE_THRESHOLD}`;
      return hiding(false, due("post"), due("comment"), due("event"), due("group"));
    }
    case "remove":
      return {
        ctes: sql`, posts_removed AS (${removePosts(postIds)}), events_removed AS (${removeEvents(eventIds)}), ${removeComments(commentIds)},
          groups_removed AS (${removeGroups(groupIds)})`,
        applied: sql`EXISTS (SELECT 1 FROM posts_removed) OR EXISTS (SELECT 1 FROM events_removed) OR EXISTS (SELECT 1 FROM comments_removed)
          OR EXISTS (SELECT 1 FROM groups_removed)`,
        snapshot: sql`coalesce(
          (SELECT snapshot FROM posts_removed LIMIT 1),
          (SELECT snapshot FROM events_removed LIMIT 1),
          (SELECT snapshot FROM groups_removed LIMIT 1),
          (SELECT snapshot || jsonb_build_object('repliesRemoved', (SELECT count(*) - 1 FROM comments_removed))
           FROM comments_removed WHERE id IN (${commentIds})))`,
      };
    case "suspend":
      return {
        ctes: sql`, suspended AS (${suspendAccounts(sql`SELECT target_owner_id FROM item`)})`,
        applied: sql`EXISTS (SELECT 1 FROM suspended)`,
        snapshot: sql`NULL`,
      };
    case "none":
      return { ctes: sql``, applied: sql`false`, snapshot: sql`NULL` };
  }
}

/** Holds when the account behind the item (`target_owner_id`) ranks at or above the actor now. */
function outranks(item: SQL, actorId: number): SQL {
  return sql`EXISTS (
    SELECT 1 FROM users t JOIN user_roles tr ON tr.name = t.role
    WHERE t.id = ${item}.target_owner_id AND tr.level >= coalesce(
      (SELECT mr.level FROM users m JOIN user_roles mr ON mr.name = m.role WHERE m.id = ${actorId}), 0))`;
}

/**
 * Closes an open item with the moderator's decision, in one statement: the item (only if it
 * is still open and not claimed by someone else, so of two racing decisions exactly one
 * wins and the other is a 409), the decision applied to the target, and the action recorded.
 * Resolving: hide / unhide / remove (posts, comments and events; a comment goes with its
 * replies, the post's counter down by as many), suspend (the user, or the content's author or
 * the event's organizer, unless
 * their role is at or above the moderator's), or none. Dismissing: no action was needed,
 * and content the reports hid is shown again.
 */
export async function decideQueueItem(
  { db, actor, logger }: ActorCtx,
  input: { id: number; action: ResolveAction | "dismiss"; note?: string },
): Promise<Decision> {
  const dismiss = input.action === "dismiss";
  const targets = dismiss ? MODERATION_TARGETS : ACTION_TARGETS[input.action as ResolveAction];
  const effects = effectsOf(input.action);
  const suspend = input.action === "suspend";
  const { rows } = await db.execute<{
    item: { id: number; status: QueueItem["status"]; resolution: string | null; resolved_at: string | null } | null;
    action: ActionJson | null;
    applied: boolean;
    refusal: DecisionRefusal;
  }>(sql`
    WITH item AS (
      UPDATE moderation_queue q SET status = ${dismiss ? "dismissed" : "resolved"}, resolved_by = ${actor.id},
        resolved_at = now(), resolution = ${input.action}, updated_at = now()
      -- The item as it was, locked, for the audit row's "before".
      FROM (SELECT id, status, claimed_by FROM moderation_queue WHERE id = ${input.id} FOR UPDATE) old
      WHERE q.id = old.id AND q.status IN ('pending', 'claimed') AND (q.status = 'pending' OR q.claimed_by = ${actor.id})
        AND q.target_type IN (${sql.join(targets.map((t) => sql`${t}`), sql`, `)})
        ${suspend ? sql`AND NOT ${outranks(sql`q`, actor.id)}` : sql``}
      RETURNING q.id, q.status, q.resolution, q.resolved_at, q.target_type, q.target_id, q.target_owner_id, q.report_count,
        jsonb_build_object('status', old.status, 'claimed_by', old.claimed_by) AS before
    )
    ${effects.ctes},
    recorded AS (
      INSERT INTO moderation_actions (queue_id, moderator_id, target_type, target_id, action, note, snapshot)
      SELECT id, ${actor.id}, target_type, target_id, ${input.action}, ${input.note || null}, ${effects.snapshot} FROM item
      RETURNING id, action, note, snapshot, created_at
    ),
    ${auditCte({
      actorId: actor.id,
      action: `moderation.${input.action}`,
      objectType: "moderation_item",
      from: sql`item`,
      objectId: sql`item.id`,
      before: sql`item.before`,
      after: sql`jsonb_build_object('status', item.status, 'resolution', item.resolution, 'target_type', item.target_type,
        'target_id', item.target_id, 'applied', ${effects.applied}, 'note', ${input.note || null}::text)`,
    })}
    SELECT (SELECT row_to_json(i) FROM (SELECT id, status, resolution, resolved_at FROM item) i) AS item,
      (SELECT json_build_object('id', a.id, 'action', a.action, 'note', a.note, 'snapshot', a.snapshot,
         'created_at', a.created_at, 'moderator', ${card("m")})
       FROM recorded a LEFT JOIN users m ON m.id = ${actor.id}) AS action,
      ${effects.applied} AS applied,
      ${refusal(
        actor.id,
        sql`WHEN cur.target_type NOT IN (${sql.join(targets.map((t) => sql`${t}`), sql`, `)}) THEN 'not_applicable'
          ${suspend ? sql`WHEN ${outranks(sql`cur`, actor.id)} THEN 'outranks'` : sql``}`,
      )} AS refusal
    FROM (SELECT 1) one
    LEFT JOIN (SELECT id, status, claimed_by, target_type, target_owner_id FROM moderation_queue WHERE id = ${input.id}) cur ON true`);
  const row = rows[0]!;
  if (!row.item || !row.action) throw decisionError(row.refusal, dismiss ? undefined : (input.action as ResolveAction));
  logger.info("queue item decided", { queueId: input.id, action: input.action, applied: row.applied });
  return {
    item: {
      id: Number(row.item.id),
      status: row.item.status,
      resolution: row.item.resolution,
      resolvedAt: isoUtc(row.item.resolved_at),
    },
    action: toAction(row.action),
    applied: row.applied,
  };
}
