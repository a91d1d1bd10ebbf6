import { type SQL, sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { PG, pgError } from "../../lib/db";
import { notFound, unauthorized } from "../../lib/errors";
import { type IdempotencyClaim, idempotencyRecordCte, idempotent } from "../../lib/idempotency";
import { keysetPage, type Page, type PageRequest } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";
import { notBlockedBetween } from "../blocks";
import { groupAccessCte, groupWriteError } from "../groups";
import { notificationCtes } from "../notifications";
import { assertOwnMediaUrls } from "../media";
import { accountUsable } from "../users";
import { postCardColumns } from "./posts.cards";
import { visibleTo } from "./posts.conditions";
import type { CreateGroupPostInput, CreatePostInput, UpdatePostInput } from "./posts.input";
import { groupVisibilityError, mayDeletePost, ownsPost, postWriteError, unknownEventError } from "./posts.policy";
import { type Post, type PostCardRow, type PostEdit, toPost } from "./posts.schemas";
import { contentFacts } from "./posts.text";

/** The route an `Idempotency-Key` of a post create is scoped to. */
export const CREATE_POST_SCOPE = "POST /api/posts";

/** A JSON value as a jsonb parameter (SQL NULL for null). */
const jsonb = (value: unknown): SQL => (value === null || value === undefined ? sql`NULL::jsonb` : sql`${JSON.stringify(value)}::jsonb`);

/** A list of strings as a text[] parameter. */
const textArray = (values: readonly string[]): SQL =>
  sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))::text[]`;

/** Image and video URLs must be this service's own uploads of the right kind (the media module's rule). */
function checkOwnMedia(ctx: Ctx, input: { imageUrl?: string | null; videoUrl?: string | null }): void {
  const fields: Parameters<typeof assertOwnMediaUrls>[1] = [];
  if (input.imageUrl != null) fields.push({ path: "body.imageUrl", url: input.imageUrl, family: "image" });
  if (input.videoUrl != null) fields.push({ path: "body.videoUrl", url: input.videoUrl, family: "video" });
  assertOwnMediaUrls(ctx.config, fields);
}

/**
 * An event that vanished between the check and the write is as unknown as one that never was,
 * and so is a group deleted meanwhile; a group post's visibility is its group's for good.
 */
function rethrowWriteError(error: unknown): never {
  const pg = pgError(error);
  if (pg?.code === PG.foreignKeyViolation && pg.constraint?.startsWith("posts_event_id")) throw unknownEventError();
  if (pg?.code === PG.foreignKeyViolation && pg.constraint?.startsWith("posts_group_id")) throw notFound("group");
  if (pg?.code === PG.checkViolation && pg.constraint === "posts_group_visibility_check") throw groupVisibilityError();
  throw error;
}

/**
 * The CTE `mentioned`: the accounts the mention candidates name (case-insensitively, through
 * the lower(username) index), usable and with no block either way with the author, in the
 * order they were first mentioned. Usernames are ASCII, so Postgres' `lower()` folds them as
 * the extraction did; a legacy non-ASCII name is never matched by a folded look-alike.
 */
function mentionedCte(authorId: number, candidates: readonly string[] | null): SQL {
  if (candidates === null) return sql`mentioned AS (SELECT NULL::int AS id, NULL::text AS username, NULL::bigint AS ord WHERE false)`;
  return sql`mentioned AS (
    SELECT u.id, u.username, c.ord
    FROM jsonb_array_elements_text(${JSON.stringify(candidates)}::jsonb) WITH ORDINALITY AS c(name, ord)
    JOIN users u ON lower(u.username) = c.name
    WHERE u.username ~ '^[A-Za-z0-9][A-Za-z0-9_.]*$' AND ${accountUsable(sql`u`)} AND ${notBlockedBetween(authorId, sql`u.id`)}
  )`;
}

const mentionedUsernames = sql`(SELECT coalesce(array_agg(username ORDER BY ord), '{}'::text[]) FROM mentioned)`;

/** The CTE `event_ok`: whether the event id (if any) names an event. */
function eventCte(eventId: number | null | undefined): SQL {
  if (eventId == null) return sql`event_ok AS (SELECT true AS ok)`;
  return sql`event_ok AS (SELECT EXISTS (SELECT 1 FROM events WHERE id = ${eventId}) AS ok)`;
}

/**
 * Mentioned dancers are notified (`mention`, subject the post); `from` yields `user_id` and
 * `post_id` per dancer to tell, and only those who may see the post are among them. Nobody is
 * told of their own mention, nor across a block (notify).
 */
function mentionNotification(actorId: number, from: SQL): SQL {
  return notificationCtes({
    to: { from },
    type: "mention",
    actorId,
    subjectType: "post",
    subjectId: sql`recipient.post_id`,
    data: sql`jsonb_build_object('postId', recipient.post_id)`,
  });
}

type CardResult = PostCardRow & { event_found: boolean; group_found: boolean; group_member: boolean };

/**
 * Creates a post, in one statement: the row (mentions resolved, hashtags normalised, plain
 * text for search), its post_hashtags rows, a `mention` notification to each dancer
 * mentioned who may see the post, and, with an `Idempotency-Key`, the stored response (see src/lib/idempotency.ts):
 * a repeat of the key replays the first response and creates nothing. An event id that names
 * no event is a 400 `unknown_event`.
 *
 * With `groupId` it is that group's post (visibility `group`, whatever `post.visibility`
 * says), written only while the author is an active member of the group (the groups module's
 * `groupAccessCte`, which locks the membership against a racing leave): a group the author may
 * not see is a 404, one they are not a member of a 403 `not_group_member`. Only its members are
 * told of their mentions, as only they may see it.
 */
export async function createPost(
  ctx: ActorCtx,
  input: { post: CreatePostInput; claim: IdempotencyClaim | null } | { post: CreateGroupPostInput; claim: IdempotencyClaim | null; groupId: number },
): Promise<{ post: Post; replayed: boolean }> {
  const { db, actor } = ctx;
  const { post, claim } = input;
  const groupId = "groupId" in input ? input.groupId : undefined;
  const visibility = "groupId" in input ? "group" : input.post.visibility;
  checkOwnMedia(ctx, post);
  const facts = contentFacts(post.content);
  const create = async (): Promise<Post> => {
    const { rows } = await db
      .execute<CardResult>(sql`
        WITH author AS (SELECT id, username, name, profile_image FROM users WHERE id = ${actor.id}),
        ${eventCte(post.eventId)},
        ${groupAccessCte(actor.id, groupId)},
        ${mentionedCte(actor.id, facts.mentionCandidates)},
        created AS (
          INSERT INTO posts (user_id, content, rich_content, plain_text, image_url, video_url, media_embeds,
                             mentions, hashtags, location, coordinates, event_id, visibility, group_id)
          SELECT author.id, ${post.content}, ${jsonb(post.richContent)}, ${facts.plainText}, ${post.imageUrl ?? null},
                 ${post.videoUrl ?? null}, ${jsonb(post.mediaEmbeds ?? [])}, ${mentionedUsernames}, ${textArray(facts.hashtags)},
                 ${post.location ?? null}, ${jsonb(post.coordinates)}, ${post.eventId ?? null}::int, ${visibility},
                 ${groupId ?? null}::int
          FROM author, event_ok, group_access WHERE event_ok.ok AND group_access.found AND group_access.member
          RETURNING *
        ),
        tagged AS (
          INSERT INTO post_hashtags (post_id, tag, created_at)
          SELECT c.id, t.tag, c.created_at FROM created c CROSS JOIN unnest(c.hashtags) AS t(tag)
        ),
        ${mentionNotification(actor.id, sql`(SELECT m.id AS user_id, c.id AS post_id FROM mentioned m CROSS JOIN created c
                                     WHERE ${visibleTo(sql`m.id`, sql`c`)}) mention`)},
        card AS (SELECT ${postCardColumns(actor.id, sql`p`, sql`a`)} FROM created p JOIN author a ON a.id = p.user_id),
        ${idempotencyRecordCte(claim, { status: 201, from: sql`card`, body: sql`to_jsonb(card)` })}
        SELECT (SELECT ok FROM event_ok) AS event_found, (SELECT found FROM group_access) AS group_found,
          (SELECT member FROM group_access) AS group_member, card.* FROM (SELECT 1) one LEFT JOIN card ON true`)
      .catch(rethrowWriteError);
    const row = rows[0]!;
    const refused = groupWriteError({ found: row.group_found, member: row.group_member });
    if (refused) throw refused;
    if (!row.event_found) throw unknownEventError();
    if (row.id === null) throw unauthorized();
    ctx.logger.info("post created", {
      code: "post_created",
      postId: Number(row.id),
      mentions: row.mentions?.length ?? 0,
      ...(groupId === undefined ? {} : { groupId }),
    });
    return toPost(row);
  };
  const { value, replayed } = await idempotent(ctx, claim, create, (stored) => toPost(stored.body as PostCardRow));
  return { post: value, replayed };
}

/** A post as the viewer sees it; 404 when it does not exist or they may not see it. */
export async function getPost({ db, actor }: Ctx, input: { postId: number }): Promise<Post> {
  const viewerId = actor?.id ?? null;
  const { rows } = await db.execute<PostCardRow>(sql`
    SELECT ${postCardColumns(viewerId, sql`p`, sql`a`)}
    FROM posts p JOIN users a ON a.id = p.user_id
    WHERE p.id = ${input.postId} AND ${visibleTo(viewerId, sql`p`)}`);
  if (!rows[0]) throw notFound("post");
  return toPost(rows[0]);
}

/** Each optional field of an edit: its column and how its value is passed. */
const EDITABLE = {
  visibility: { column: "visibility", value: (v: unknown) => sql`${v}` },
  richContent: { column: "rich_content", value: jsonb },
  imageUrl: { column: "image_url", value: (v: unknown) => sql`${v}` },
  videoUrl: { column: "video_url", value: (v: unknown) => sql`${v}` },
  mediaEmbeds: { column: "media_embeds", value: jsonb },
  location: { column: "location", value: (v: unknown) => sql`${v}` },
  coordinates: { column: "coordinates", value: jsonb },
  eventId: { column: "event_id", value: (v: unknown) => sql`${v}::int` },
} as const;

type EditRow = CardResult & { found: boolean; allowed: boolean };

/**
 * Edits a post (its author only), in one statement conditional on the author: the old row is
 * locked first (`FOR UPDATE` in a CTE), so two racing edits apply one after the other and each
 * records in edit_history the version it really replaced (previous content, the editor, the
 * time, and `previous`: the other changed fields as they were, keyed by their API names). A
 * content change re-extracts hashtags (post_hashtags rows kept in step: removed tags deleted,
 * new ones added) and mentions, and notifies only the dancers newly mentioned. Not visible:
 * 404; visible but another's: 403 `not_post_owner`. An edit naming no field changes nothing.
 */
export async function updatePost(ctx: ActorCtx, input: { postId: number; changes: UpdatePostInput }): Promise<Post> {
  const { db, actor } = ctx;
  const { changes } = input;
  checkOwnMedia(ctx, changes);
  const facts = changes.content === undefined ? null : contentFacts(changes.content);
  const set: SQL[] = [sql`updated_at = now()`];
  const previous: SQL[] = [sql`'{}'::jsonb`];
  for (const [field, { column, value }] of Object.entries(EDITABLE)) {
    const given = changes[field as keyof typeof EDITABLE];
    if (given === undefined) continue;
    const name = sql.identifier(column);
    set.push(sql`${name} = ${value(given)}`);
    previous.push(sql`CASE WHEN o.${name} IS DISTINCT FROM p.${name} THEN jsonb_build_object(${field}::text, o.${name}) ELSE '{}'::jsonb END`);
  }
  if (facts) {
    set.push(
      sql`content = ${changes.content}`,
      sql`plain_text = ${facts.plainText}`,
      sql`hashtags = ${textArray(facts.hashtags)}`,
      sql`mentions = ${mentionedUsernames}`,
    );
  }
  if (set.length === 1 && !facts) return unchangedPost(ctx, input.postId);
  const { rows } = await db
    .execute<EditRow>(sql`
      WITH old AS (
        SELECT p.* FROM posts p WHERE p.id = ${input.postId} AND ${visibleTo(actor.id, sql`p`)}
        FOR UPDATE
      ),
      ${eventCte(changes.eventId)},
      ${mentionedCte(actor.id, facts?.mentionCandidates ?? null)},
      updated AS (
        UPDATE posts p SET ${sql.join(set, sql`, `)}
        FROM old o
        WHERE p.id = o.id AND ${ownsPost(actor.id, sql`p`)} AND (SELECT ok FROM event_ok)
        RETURNING p.*, o.content AS old_content, o.mentions AS old_mentions, ${sql.join(previous, sql` || `)} AS old_fields
      ),
      logged AS (
        INSERT INTO edit_history (post_id, editor_id, previous_content, previous, created_at)
        -- clock_timestamp(): after the lock, so racing edits are recorded in the order they applied.
        SELECT id, ${actor.id}, old_content, old_fields, clock_timestamp() FROM updated
      ),
      untagged AS (
        DELETE FROM post_hashtags h USING updated u
        WHERE ${facts ? sql`true` : sql`false`} AND h.post_id = u.id AND NOT (h.tag = ANY (u.hashtags))
      ),
      tagged AS (
        INSERT INTO post_hashtags (post_id, tag, created_at)
        SELECT u.id, t.tag, coalesce(u.created_at, now()) FROM updated u CROSS JOIN unnest(u.hashtags) AS t(tag)
        WHERE ${facts ? sql`true` : sql`false`}
        ON CONFLICT (post_id, tag) DO NOTHING
      ),
      ${mentionNotification(
        actor.id,
        sql`(SELECT m.id AS user_id, u.id AS post_id FROM mentioned m CROSS JOIN updated u
             WHERE lower(m.username) <> ALL (SELECT lower(x) FROM unnest(coalesce(u.old_mentions, '{}'::text[])) AS x)
               AND ${visibleTo(sql`m.id`, sql`u`)}) newcomer`,
      )},
      card AS (SELECT ${postCardColumns(actor.id, sql`p`, sql`a`)} FROM updated p JOIN users a ON a.id = p.user_id)
      SELECT EXISTS (SELECT 1 FROM old) AS found, coalesce((SELECT ${ownsPost(actor.id, sql`o`)} FROM old o), false) AS allowed,
             (SELECT ok FROM event_ok) AS event_found, card.*
      FROM (SELECT 1) one LEFT JOIN card ON true`)
    .catch(rethrowWriteError);
  const row = rows[0]!;
  const refused = postWriteError(row, "edit");
  if (refused) throw refused;
  if (!row.event_found) throw unknownEventError();
  ctx.logger.info("post edited", { code: "post_edited", postId: input.postId });
  // The statement's snapshot predates its own edit_history row.
  return { ...toPost(row), edited: true };
}

/** An edit that names no field: the same refusals, and the post as it is (no history written). */
async function unchangedPost({ db, actor }: ActorCtx, postId: number): Promise<Post> {
  const { rows } = await db.execute<EditRow>(sql`
    SELECT true AS found, ${ownsPost(actor.id, sql`p`)} AS allowed, ${postCardColumns(actor.id, sql`p`, sql`a`)}
    FROM posts p JOIN users a ON a.id = p.user_id
    WHERE p.id = ${postId} AND ${visibleTo(actor.id, sql`p`)}`);
  const refused = postWriteError(rows[0] ?? { found: false, allowed: false }, "edit");
  if (refused) throw refused;
  return toPost(rows[0]!);
}

/**
 * Deletes a post (its author, or a moderator: level 5 and up), in one statement whose DELETE
 * holds the condition. Its likes, comments, shares, bookmarks, hashtags and history go with it
 * (foreign keys cascade). Not visible: 404; visible but another's: 403 `not_post_owner`.
 */
export async function deletePost(ctx: ActorCtx, input: { postId: number }): Promise<void> {
  const { db, actor } = ctx;
  const { rows } = await db.execute<{ found: boolean; allowed: boolean; author_id: number | null }>(sql`
    WITH target AS (SELECT p.id, p.user_id FROM posts p WHERE p.id = ${input.postId} AND ${visibleTo(actor.id, sql`p`)}),
    deleted AS (
      DELETE FROM posts p USING target t
      WHERE p.id = t.id AND ${mayDeletePost(actor.id, sql`p`)}
      RETURNING p.id, p.user_id
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM deleted) AS allowed,
           (SELECT user_id FROM deleted) AS author_id`);
  const row = rows[0]!;
  const refused = postWriteError(row, "delete");
  if (refused) throw refused;
  ctx.logger.info("post deleted", {
    code: Number(row.author_id) === actor.id ? "post_deleted" : "post_deleted_by_moderator",
    postId: input.postId,
    actorId: actor.id,
  });
}

interface EditListRow extends Record<string, unknown> {
  id: number | null;
  previous_content: string;
  previous: Record<string, unknown> | null;
  created_key: string;
  editor_id: number | null;
  editor_username: string | null;
  editor_name: string | null;
  editor_profile_image: string | null;
}

/**
 * A post's edit history, newest first (keyset over the (post_id, created_at, id) index). Whoever
 * may see the post may see how it changed (the card says `edited`); 404 otherwise.
 */
export async function listPostEdits({ db, actor }: Ctx, input: { postId: number } & PageRequest): Promise<Page<PostEdit>> {
  const viewerId = actor?.id ?? null;
  return keysetPage(
    input,
    { time: sql`e.created_at`, id: sql`e.id` },
    async (keyset) => {
      const { rows } = await db.execute<EditListRow>(sql`
        SELECT item.* FROM posts p
        LEFT JOIN LATERAL (
          SELECT e.id, e.previous_content, e.previous, e.created_at::text AS created_key, u.id AS editor_id,
                 u.username AS editor_username, u.name AS editor_name, u.profile_image AS editor_profile_image
          FROM edit_history e LEFT JOIN users u ON u.id = e.editor_id
          WHERE e.post_id = p.id AND ${keyset.after}
          ORDER BY ${keyset.order}
          LIMIT ${keyset.limit}
        ) item ON true
        WHERE p.id = ${input.postId} AND ${visibleTo(viewerId, sql`p`)}`);
      if (rows.length === 0) throw notFound("post");
      return rows.filter((row) => row.id !== null);
    },
    {
      item: (row) => ({
        id: Number(row.id),
        editor:
          row.editor_id === null
            ? null
            : { id: Number(row.editor_id), username: row.editor_username!, name: row.editor_name!, profileImage: row.editor_profile_image },
        previousContent: row.previous_content,
        previous: row.previous ?? {},
        createdAt: isoUtc(row.created_key),
      }),
      key: (row) => [row.created_key, Number(row.id)],
    },
  );
}
