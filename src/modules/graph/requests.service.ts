import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx } from "../../lib/context";
import type { Config } from "../../lib/env";
import { AppError, conflict, notFound } from "../../lib/errors";
import { type IdempotencyClaim, idempotencyRecordCte, idempotent } from "../../lib/idempotency";
import { keysetPage, type Page, type PageRequest } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { notBlockedBetween } from "../blocks";
import { assertOwnMediaUrls } from "../media";
import { notificationCtes } from "../notifications";
import { accountUsable } from "../users";
import { areFriends } from "./graph.conditions";
import { DANCED_CLOSENESS, REASK_AFTER_DAYS, STARTING_CLOSENESS } from "./requests.policy";
import type { FriendRequestListItem, FriendRequestView, MediaInput, SendRequestInput } from "./requests.schemas";

/** The request's time as the `timestamp` (UTC) columns hold it. */
const at = (now: Date) => sql`(${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/**
 * Serializes every write to one pair's requests (either direction), for the rest of the
 * transaction: the first statement of a `db.batch`, so the next statement's snapshot (read
 * committed) is taken after the lock and sees what the pair's previous writer committed. Two
 * dancers asking each other at the same moment thus see each other's request, and the second
 * one accepts it instead of adding a second pending request.
 */
function pairLock(a: SQL | number, b: SQL | number): SQL {
  return sql`pg_advisory_xact_lock(hashtextextended(
    'friend_pair:' || least(${a}::int, ${b}::int) || ':' || greatest(${a}::int, ${b}::int), 0))`;
}

/** Photos and videos with a request or an acceptance are this service's uploads, of the type they say (400). */
function assertRequestMedia(config: Config, media: MediaInput[] | undefined): void {
  assertOwnMediaUrls(config, (media ?? []).map((m, i) => ({ path: `body.media.${i}.url`, url: m.url, family: m.type })));
}

const mediaJson = (media: MediaInput[] | undefined) =>
  JSON.stringify((media ?? []).map((m) => ({ url: m.url, type: m.type, caption: m.caption || null })));

/** Media rows as the API shows them, for `json_agg`. */
const mediaObject = (m: SQL) => sql`json_build_object('id', ${m}.id, 'url', ${m}.media_url, 'type', ${m}.media_type,
  'caption', ${m}.caption, 'phase', ${m}.phase, 'uploaderId', ${m}.uploader_id)`;

/**
 * The CTEs that accept the request rows in the CTE `accepted` (its receiver accepts): both
 * friendship rows (closeness 80 when `danced` holds for the row `a`, else 75), the
 * acceptance media (uploaded by the receiver, keyed by the request and the receiver's
 * friendship row) and the sender's `friend_accepted` notification. Nothing when `accepted`
 * is empty.
 */
function acceptanceCtes(now: Date, media: MediaInput[] | undefined, danced: SQL): SQL {
  return sql`
    befriended AS (
      INSERT INTO friendships AS f (user_id, friend_id, closeness_score, created_at, last_interaction_at)
      SELECT x.user_id, x.friend_id,
             CASE WHEN ${danced} THEN ${DANCED_CLOSENESS}::int ELSE ${STARTING_CLOSENESS}::int END, ${at(now)}, ${at(now)}
      FROM accepted a
      CROSS JOIN LATERAL (VALUES (a.sender_id, a.receiver_id), (a.receiver_id, a.sender_id)) x(user_id, friend_id)
      ORDER BY x.user_id
      ON CONFLICT (user_id, friend_id) DO UPDATE SET status = 'active'
      RETURNING f.id, f.user_id, f.friend_id, f.closeness_score, f.created_at
    ),
    acceptance_media AS (
      INSERT INTO friendship_media (friend_request_id, friendship_id, uploader_id, media_url, media_type, caption, phase, created_at)
      SELECT a.id, b.id, a.receiver_id, m.value->>'url', m.value->>'type', m.value->>'caption', 'acceptance', ${at(now)}
      FROM accepted a
      JOIN befriended b ON b.user_id = a.receiver_id
      CROSS JOIN jsonb_array_elements(${mediaJson(media)}::jsonb) WITH ORDINALITY m(value, ord)
      ORDER BY m.ord
      RETURNING id, media_url, media_type, caption, phase, uploader_id
    ),
    accepted_to AS (SELECT sender_id AS user_id, receiver_id AS actor_id, id AS request_id FROM accepted),
    ${notificationCtes(
      {
        to: { from: sql`accepted_to` },
        type: "friend_accepted",
        actorId: sql`recipient.actor_id`,
        subjectType: "friend_request",
        subjectId: sql`recipient.request_id`,
      },
      { name: "notify_accepted" },
    )}`;
}

/** What the final SELECT returns for one request (see {@link toView}). */
type RequestRow = {
  request: Record<string, unknown> | null;
  story: Record<string, unknown> | null;
  media: Record<string, unknown>[] | null;
  friendship: { closeness_score: number; created_at: string } | null;
};

/** The request's media as they stood (snapshot), then those this statement wrote. */
function mediaOf(requestId: SQL, written: SQL): SQL {
  return sql`(SELECT json_agg(x.m ORDER BY x.written, x.id) FROM (
      SELECT fm.id, false AS written, ${mediaObject(sql`fm`)} AS m FROM friendship_media fm
      WHERE fm.friend_request_id = ${requestId} AND fm.phase IN ('request', 'acceptance')
      UNION ALL
      SELECT w.id, true, ${mediaObject(sql`w`)} FROM ${written} w
    ) x)`;
}

function toView(row: RequestRow): FriendRequestView {
  const r = row.request!;
  const s = row.story;
  return {
    id: Number(r.id),
    senderId: Number(r.sender_id),
    receiverId: Number(r.receiver_id),
    status: r.status as FriendRequestView["status"],
    message: (r.message as string | null) ?? null,
    createdAt: isoUtc(r.created_at as string),
    respondedAt: isoUtc(r.responded_at as string | null),
    story: {
      didWeDance: Boolean(s?.did_we_dance ?? false),
      danceLocation: (s?.dance_location as string | null | undefined) ?? null,
      danceEventId: s?.dance_event_id == null ? null : Number(s.dance_event_id),
      danceStory: (s?.dance_story as string | null | undefined) ?? null,
    },
    media: (row.media ?? []) as FriendRequestView["media"],
    friendship: row.friendship
      ? { closenessScore: Number(row.friendship.closeness_score), since: isoUtc(row.friendship.created_at) }
      : null,
  };
}

export type SendOutcome = "sent" | "accepted";

/** The route an `Idempotency-Key` of a friend request is scoped to. */
export const SEND_REQUEST_SCOPE = "POST /api/friends/requests";

/**
 * The actor asks `receiverId` to be friends, with the "did we dance?" story and media, in one
 * atomic batch (the pair's lock, then one statement): the request row (the pair's single row
 * is reused after a cancel or a reject), its story, its media (phase `request`) and the
 * receiver's `friend_request` notification. When the receiver already asked the actor, the
 * new request accepts theirs instead (`accepted`): its story fills in what theirs left
 * empty, its media become acceptance media. Refusals write nothing. With an `Idempotency-Key`
 * (see src/lib/idempotency.ts) the response (201 sent or 200 accepted) is stored in the same
 * statement; a repeat replays it, also when the first request is what makes the repeat a 409
 * (`request_pending`, `already_friends`).
 */
export async function sendRequest(
  ctx: ActorCtx,
  input: SendRequestInput & { claim: IdempotencyClaim | null },
): Promise<{ outcome: SendOutcome; request: FriendRequestView; replayed: boolean }> {
  assertRequestMedia(ctx.config, input.media);
  const { claim } = input;
  const { value, replayed } = await idempotent<{ outcome: SendOutcome; request: FriendRequestView }>(
    ctx,
    claim,
    () => insertRequest(ctx, input, claim),
    (stored) => ({ outcome: stored.status === 201 ? "sent" : "accepted", request: toView(stored.body as RequestRow) }),
  );
  return { ...value, replayed };
}

async function insertRequest(
  { db, actor, now }: ActorCtx,
  input: SendRequestInput,
  claim: IdempotencyClaim | null,
): Promise<{ outcome: SendOutcome; request: FriendRequestView }> {
  const me = actor.id;
  const them = input.receiverId;
  const eventId = input.danceEventId ?? null;
  const danced = input.didWeDance ?? false;
  const story = sql`${danced}::boolean, ${input.danceLocation || null}::text, ${eventId}::int, ${input.danceStory || null}::text, ${at(now)}`;
  const [, result] = await db.batch([
    db.execute(sql`SELECT ${pairLock(me, them)}`),
    db.execute<RequestRow & { outcome: string; retry_at: string | null }>(sql`
    WITH them AS (
      SELECT u.id FROM users u
      WHERE u.id = ${them} AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(me, sql`u.id`)}
    ),
    mine AS (SELECT r.id, r.status, r.responded_at FROM friend_requests r WHERE r.sender_id = ${me} AND r.receiver_id = ${them}),
    verdict AS (
      SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM them) THEN 'not_found'
        WHEN ${eventId}::int IS NOT NULL AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = ${eventId}::int) THEN 'unknown_event'
        WHEN ${areFriends(me, them)} THEN 'already_friends'
        WHEN EXISTS (SELECT 1 FROM friend_requests r WHERE r.sender_id = ${them} AND r.receiver_id = ${me} AND r.status = 'pending') THEN 'crossed'
        WHEN EXISTS (SELECT 1 FROM mine WHERE status = 'pending') THEN 'request_pending'
        WHEN EXISTS (SELECT 1 FROM mine WHERE status = 'rejected'
                     AND responded_at > ${at(now)} - ${`${REASK_AFTER_DAYS} days`}::interval) THEN 'request_rejected_recently'
        ELSE 'send' END AS outcome,
        (SELECT responded_at + ${`${REASK_AFTER_DAYS} days`}::interval FROM mine WHERE status = 'rejected') AS retry_at
    ),
    sent AS (
      INSERT INTO friend_requests AS r (sender_id, receiver_id, message, status, created_at, responded_at)
      SELECT ${me}, ${them}, ${input.message || null}::text, 'pending', ${at(now)}, NULL FROM verdict WHERE outcome = 'send'
      ON CONFLICT (sender_id, receiver_id) DO UPDATE
        SET message = excluded.message, status = 'pending', created_at = excluded.created_at, responded_at = NULL
        WHERE r.status <> 'pending'
      RETURNING r.*
    ),
    sent_story AS (
      INSERT INTO friend_request_stories AS s (friend_request_id, did_we_dance, dance_location, dance_event_id, dance_story, updated_at)
      SELECT id, ${story} FROM sent
      ON CONFLICT (friend_request_id) DO UPDATE SET did_we_dance = excluded.did_we_dance,
        dance_location = excluded.dance_location, dance_event_id = excluded.dance_event_id,
        dance_story = excluded.dance_story, updated_at = excluded.updated_at
      RETURNING s.*
    ),
    stale_media AS (
      DELETE FROM friendship_media WHERE friend_request_id IN (SELECT id FROM sent) AND phase IN ('request', 'acceptance')
    ),
    sent_media AS (
      INSERT INTO friendship_media (friend_request_id, uploader_id, media_url, media_type, caption, phase, created_at)
      SELECT sent.id, ${me}, m.value->>'url', m.value->>'type', m.value->>'caption', 'request', ${at(now)}
      FROM sent CROSS JOIN jsonb_array_elements(${mediaJson(input.media)}::jsonb) WITH ORDINALITY m(value, ord)
      ORDER BY m.ord
      RETURNING id, media_url, media_type, caption, phase, uploader_id
    ),
    ${notificationCtes(
      { to: [them], type: "friend_request", actorId: me, subjectType: "friend_request", subjectId: sql`(SELECT id FROM sent)` },
      { name: "notify_request", when: sql`EXISTS (SELECT 1 FROM sent)` },
    )},
    accepted AS (
      UPDATE friend_requests r SET status = 'accepted', responded_at = ${at(now)}
      FROM verdict v
      WHERE v.outcome = 'crossed' AND r.sender_id = ${them} AND r.receiver_id = ${me} AND r.status = 'pending'
      RETURNING r.*
    ),
    crossed_story AS (
      INSERT INTO friend_request_stories AS s (friend_request_id, did_we_dance, dance_location, dance_event_id, dance_story, updated_at)
      SELECT id, ${story} FROM accepted
      ON CONFLICT (friend_request_id) DO UPDATE SET did_we_dance = s.did_we_dance OR excluded.did_we_dance,
        dance_location = coalesce(s.dance_location, excluded.dance_location),
        dance_event_id = coalesce(s.dance_event_id, excluded.dance_event_id),
        dance_story = coalesce(s.dance_story, excluded.dance_story), updated_at = excluded.updated_at
      RETURNING s.*
    ),
    ${acceptanceCtes(
      now,
      input.media,
      sql`(${danced}::boolean OR coalesce((SELECT s.did_we_dance FROM friend_request_stories s WHERE s.friend_request_id = a.id), false))`,
    )},
    result AS (
      SELECT v.outcome, v.retry_at::text AS retry_at,
        (SELECT row_to_json(x) FROM (SELECT * FROM sent UNION ALL SELECT * FROM accepted) x) AS request,
        (SELECT row_to_json(x) FROM (SELECT * FROM sent_story UNION ALL SELECT * FROM crossed_story) x) AS story,
        CASE WHEN EXISTS (SELECT 1 FROM sent)
          THEN (SELECT json_agg(${mediaObject(sql`w`)} ORDER BY w.id) FROM sent_media w)
          ELSE ${mediaOf(sql`(SELECT id FROM accepted)`, sql`acceptance_media`)} END AS media,
        (SELECT row_to_json(b) FROM befriended b WHERE b.user_id = ${me}) AS friendship
      FROM verdict v
    ),
    ${idempotencyRecordCte(claim, {
      status: sql`CASE made.outcome WHEN 'send' THEN 201 ELSE 200 END`,
      from: sql`(SELECT * FROM result WHERE request IS NOT NULL) made`,
      body: sql`to_jsonb(made)`,
    })}
    SELECT * FROM result`),
  ]);
  const row = result.rows[0]!;
  switch (row.outcome) {
    case "send":
    case "crossed":
      if (!row.request) throw conflict("request_pending", "A friend request between you two is already pending.");
      return { outcome: row.outcome === "send" ? "sent" : "accepted", request: toView(row) };
    case "not_found":
      throw notFound("user");
    case "unknown_event":
      throw new AppError(400, "unknown_dance_event", "danceEventId names no event.", {
        errors: [{ path: "body.danceEventId", message: "No such event" }],
      });
    case "already_friends":
      throw conflict("already_friends", "You are already friends.");
    case "request_pending":
      throw conflict("request_pending", "Your friend request is already pending.");
    default: {
      const retryAt = isoUtc(row.retry_at!);
      throw new AppError(409, "request_rejected_recently", `Your request was declined recently; you may ask again from ${retryAt}.`, {
        extensions: { retryAt },
      });
    }
  }
}

export type Response = "accept" | "reject" | "cancel";

const RESPONSES: Record<Response, { status: string; by: SQL; other: SQL }> = {
  accept: { status: "accepted", by: sql`receiver_id`, other: sql`sender_id` },
  reject: { status: "rejected", by: sql`receiver_id`, other: sql`sender_id` },
  cancel: { status: "cancelled", by: sql`sender_id`, other: sql`receiver_id` },
};

/**
 * The actor answers a request: accept or reject (its receiver), cancel (its sender). Anyone
 * else, or a request whose other dancer is gone or blocked either way, is a 404; a request
 * no longer pending is a 409. Accepting writes the request, both friendship rows, the
 * acceptance media and the sender's notification in the same statement. One batch: the
 * pair's lock (as a new request takes it), then the statement; of two concurrent accepts
 * the second finds the request accepted.
 */
export async function respondToRequest(
  { db, actor, now, config }: ActorCtx,
  input: { id: number; response: Response; media?: MediaInput[] },
): Promise<FriendRequestView> {
  assertRequestMedia(config, input.media);
  const me = actor.id;
  const { status, by, other } = RESPONSES[input.response];
  const accepting = input.response === "accept";
  const [, result] = await db.batch([
    db.execute(sql`SELECT ${pairLock(sql`r.sender_id`, sql`r.receiver_id`)} FROM friend_requests r WHERE r.id = ${input.id}`),
    db.execute<RequestRow & { found: boolean }>(sql`
    WITH req AS (
      SELECT r.id FROM friend_requests r JOIN users u ON u.id = r.${other}
      WHERE r.id = ${input.id} AND r.${by} = ${me} AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(me, sql`u.id`)}
    ),
    accepted AS (
      UPDATE friend_requests r SET status = ${status}, responded_at = ${at(now)}
      WHERE r.id IN (SELECT id FROM req) AND r.status = 'pending'
      RETURNING r.*
    )${
      accepting
        ? sql`, ${acceptanceCtes(
            now,
            input.media,
            sql`coalesce((SELECT s.did_we_dance FROM friend_request_stories s WHERE s.friend_request_id = a.id), false)`,
          )}`
        : sql``
    }
    SELECT EXISTS (SELECT 1 FROM req) AS found,
      (SELECT row_to_json(a) FROM accepted a) AS request,
      (SELECT row_to_json(s) FROM friend_request_stories s WHERE s.friend_request_id IN (SELECT id FROM accepted)) AS story,
      ${mediaOf(sql`(SELECT id FROM accepted)`, accepting ? sql`acceptance_media` : sql`(SELECT NULL::int AS id, NULL::text AS media_url, NULL::text AS media_type, NULL::text AS caption, NULL::text AS phase, NULL::int AS uploader_id WHERE false)`)} AS media,
      ${accepting ? sql`(SELECT row_to_json(b) FROM befriended b WHERE b.user_id = ${me})` : sql`NULL::json`} AS friendship`),
  ]);
  const row = result.rows[0]!;
  if (!row.found) throw notFound("friend request");
  if (!row.request) throw conflict("request_not_pending", "This friend request is no longer pending.");
  return toView(row);
}

/**
 * The actor's pending requests, incoming (sent to them) or outgoing (sent by them), newest
 * first, each with the other dancer's card, the story and the request media. Requests with a
 * dancer who is gone, suspended or blocked either way are left out.
 */
export async function listRequests(
  { db, actor }: ActorCtx,
  input: PageRequest & { direction: "incoming" | "outgoing" },
): Promise<Page<FriendRequestListItem>> {
  const me = actor.id;
  const [mine, theirs] = input.direction === "incoming" ? [sql`receiver_id`, sql`sender_id`] : [sql`sender_id`, sql`receiver_id`];
  type Row = RequestRow & { key: string; id: number; dancer: { id: number; username: string; name: string; profile_image: string | null } };
  return keysetPage(
    input,
    { time: sql`r.created_at`, id: sql`r.id` },
    async (keyset) =>
      (
        await db.execute<Row>(sql`
        SELECT r.id, r.created_at::text AS key, row_to_json(r) AS request, row_to_json(s) AS story,
          json_build_object('id', u.id, 'username', u.username, 'name', u.name, 'profile_image', u.profile_image) AS dancer,
          (SELECT json_agg(${mediaObject(sql`fm`)} ORDER BY fm.id) FROM friendship_media fm
           WHERE fm.friend_request_id = r.id AND fm.phase = 'request') AS media
        FROM friend_requests r
        JOIN users u ON u.id = r.${theirs}
        LEFT JOIN friend_request_stories s ON s.friend_request_id = r.id
        WHERE r.${mine} = ${me} AND r.status = 'pending'
          AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(me, sql`u.id`)}
          AND ${keyset.after}
        ORDER BY ${keyset.order}
        LIMIT ${keyset.limit}`)
      ).rows,
    {
      item: (row) => {
        const { friendship: _, ...view } = toView({ ...row, friendship: null });
        return {
          ...view,
          dancer: { id: row.dancer.id, username: row.dancer.username, name: row.dancer.name, profileImage: row.dancer.profile_image },
        };
      },
      key: (row) => [row.key, Number(row.id)],
    },
  );
}
