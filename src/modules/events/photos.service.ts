import { sql } from "drizzle-orm";
import type { ActorCtx, Ctx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { type IdempotencyClaim, idempotencyRecordCte, idempotent } from "../../lib/idempotency";
import type { Page, PageRequest } from "../../lib/pagination";
import { assertOwnMediaUrls, isAllowedMediaUrl } from "../media";
import { attendeeOf, contributionVisibleTo, visibleEventCte } from "./checkins.conditions";
import { contributionsPage } from "./checkins.service";
import { photoColumns } from "./photos.conditions";
import { mayNotDeletePhoto, PHOTO_REFUSALS } from "./photos.policy";
import { type AddPhotoBody, type Photo, type PhotoRow, toPhoto } from "./photos.schemas";

/**
 * The route an `Idempotency-Key` of a photo is scoped to. The template, not the path: the
 * event id is part of the request hash instead, so one key sent for two events is a 422.
 */
export const ADD_PHOTO_SCOPE = "POST /api/events/{id}/photos";

type Outcome = "ok" | "not_found" | "media_not_allowed" | keyof typeof PHOTO_REFUSALS;

/**
 * A dancer at the event (checked in, or going) or one of its organizers adds a photo, in one
 * statement: an image uploaded to this service, with an optional caption. Refused, in order:
 * an event the caller may not see (404), a dancer not at it (403 `not_attendee`), a URL that
 * is not an image uploaded here (400 `media_url_not_allowed`: decided after the two before, so
 * that it tells an outsider nothing), a cancelled event (409). The event row is key-share locked, so a
 * photo racing the event's deletion is a 404. With an `Idempotency-Key` the response is stored
 * in the same statement; a repeat replays it and adds nothing.
 */
export async function addPhoto(
  ctx: ActorCtx,
  input: { eventId: number; claim: IdempotencyClaim | null } & AddPhotoBody,
): Promise<{ photo: Photo; replayed: boolean }> {
  const media = [{ path: "body.url", url: input.url, family: "image" as const }];
  const mediaAllowed = isAllowedMediaUrl(input.url, ctx.config, "image");
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
        WHEN NOT ${mediaAllowed}::boolean THEN 'media_not_allowed'
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
    // The URL was found not allowed above: this throws the media module's own 400.
    if (row.outcome === "media_not_allowed") assertOwnMediaUrls(ctx.config, media);
    else if (row.outcome !== "ok") throw PHOTO_REFUSALS[row.outcome]();
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

/** An event's photos, newest first, by cursor, as {@link contributionsPage} reads them (event_photos_event_idx). */
export function listPhotos(ctx: Ctx, input: { eventId: number } & PageRequest): Promise<Page<Photo>> {
  return contributionsPage(ctx, input, { table: sql`event_photos`, columns: photoColumns(sql`c`, sql`u`), item: toPhoto });
}
