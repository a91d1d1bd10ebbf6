import { sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { type IdempotencyClaim, idempotencyRecordCte, idempotent } from "../../lib/idempotency";
import { keysetPage, type Page, type PageRequest } from "../../lib/pagination";
import { assertOwnMediaUrls } from "../media";
import { attendeeOf, contributionVisibleTo, visibleEventCte } from "./checkins.conditions";
import { photoColumns } from "./photos.conditions";
import { mayNotDeletePhoto, PHOTO_REFUSALS } from "./photos.policy";
import { type AddPhotoBody, type Photo, type PhotoRow, toPhoto } from "./photos.schemas";

/**
 * The route an `Idempotency-Key` of a photo is scoped to. The template, not the path: the
 * event id is part of the request hash instead, so one key sent for two events is a 422.
 */
export const ADD_PHOTO_SCOPE = "POST /api/events/{id}/photos";

type Outcome = "ok" | "not_found" | keyof typeof PHOTO_REFUSALS;

/**
 * A dancer at the event (checked in, or going) or one of its organizers adds a photo, in one
 * statement: an image uploaded to this service (400 `media_url_not_allowed` otherwise), with
 * an optional caption. Refused: an event the caller may not see (404), a dancer not at it
 * (403 `not_attendee`), a cancelled event (409). The event row is key-share locked, so a
 * photo racing the event's deletion is a 404. With an `Idempotency-Key` the response is stored
 * in the same statement; a repeat replays it and adds nothing.
 */
export async function addPhoto(
  ctx: ActorCtx,
  input: { eventId: number; claim: IdempotencyClaim | null } & AddPhotoBody,
): Promise<{ photo: Photo; replayed: boolean }> {
  assertOwnMediaUrls(ctx.config, [{ path: "body.url", url: input.url, family: "image" }]);
  const { db, actor } = ctx;
  const me = actor.id;
  const { claim } = input;
  const create = async (): Promise<Photo> => {
    const { rows } = await db.execute<PhotoRow & { outcome: Outcome }>(sql`
    WITH ${visibleEventCte(me, input.eventId, sql`FOR KEY SHARE OF e`)},
    verdict AS (
      SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM event) THEN 'not_found'
        WHEN NOT (SELECT manages OR ${attendeeOf(me, sql`event`)} FROM event) THEN 'not_attendee'
        WHEN (SELECT status FROM event) = 'cancelled' THEN 'cancelled'
        ELSE 'ok' END AS outcome
    ),
    inserted AS (
      INSERT INTO event_photos (event_id, user_id, url, caption)
      SELECT event.id, ${me}, ${input.url}, ${input.caption || null}::text
      FROM event JOIN verdict ON verdict.outcome = 'ok'
      RETURNING *
    ),
    card AS (SELECT ${photoColumns(sql`p`, sql`u`)} FROM inserted p JOIN users u ON u.id = p.user_id),
    ${idempotencyRecordCte(claim, { status: 201, from: sql`card`, body: sql`to_jsonb(card)` })}
    SELECT verdict.outcome, card.* FROM verdict LEFT JOIN card ON true`);
    const row = rows[0]!;
    if (row.outcome === "not_found") throw notFound("event");
    if (row.outcome !== "ok") throw PHOTO_REFUSALS[row.outcome]();
    return toPhoto(row);
  };
  const { value, replayed } = await idempotent(ctx, claim, create, (stored) => toPhoto(stored.body as PhotoRow));
  return { photo: value, replayed };
}

/**
 * Removes a photo, by its author or one of the event's organizers, in one statement. A photo
 * the caller may not see (or of an event they may not see) is 404; one they may not remove,
 * 403. The organizers may remove any photo of their event, one by a dancer they blocked (and so
 * do not see) included: it still shows on their event to everyone else. The photo's row is
 * locked first, so of two removals at once the second finds it gone (404), not refused.
 */
export async function removePhoto({ db, actor }: ActorCtx, input: { eventId: number; photoId: number }): Promise<void> {
  const me = actor.id;
  const { rows } = await db.execute<{ found: boolean; removed: boolean }>(sql`
    WITH ${visibleEventCte(me, input.eventId)},
    target AS (
      SELECT p.id, (p.user_id = ${me} OR event.manages) AS allowed
      FROM event_photos p JOIN event ON p.event_id = event.id
      WHERE p.id = ${input.photoId} AND (event.manages OR ${contributionVisibleTo(me, sql`p`)})
      FOR UPDATE OF p
    ),
    removed AS (DELETE FROM event_photos p USING target t WHERE p.id = t.id AND t.allowed RETURNING p.id)
    SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM removed) AS removed`);
  if (!rows[0]?.found) throw notFound("photo");
  if (!rows[0].removed) throw mayNotDeletePhoto();
}

/**
 * An event's photos, newest first, by keyset over (created_at, id) (event_photos_event_idx),
 * in one statement; anonymous callers see those of events anyone may see. The event must be
 * one the viewer may see (else 404). Photos hidden by moderation (except the viewer's own), by
 * suspended or closed accounts, or with a block between the viewer and the author, are left out.
 */
export async function listPhotos({ db, actor }: Ctx, input: { eventId: number } & PageRequest): Promise<Page<Photo>> {
  const viewerId = actor?.id ?? null;
  return keysetPage(
    input,
    { time: sql`p.created_at`, id: sql`p.id` },
    async (keyset) => {
      const { rows } = await db.execute<PhotoRow>(sql`
        WITH ${visibleEventCte(viewerId, input.eventId)}
        SELECT item.* FROM event
        LEFT JOIN LATERAL (
          SELECT ${photoColumns(sql`p`, sql`u`)}
          FROM event_photos p JOIN users u ON u.id = p.user_id
          WHERE p.event_id = event.id AND ${contributionVisibleTo(viewerId, sql`p`)} AND ${keyset.after}
          ORDER BY ${keyset.order}
          LIMIT ${keyset.limit}
        ) item ON true`);
      if (rows.length === 0) throw notFound("event");
      return rows.filter((row) => row.id !== null);
    },
    { item: toPhoto, key: (row) => [row.created_key, Number(row.id)] },
  );
}
