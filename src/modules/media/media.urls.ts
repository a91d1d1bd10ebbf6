import type { Config } from "../../lib/env";
import { AppError, type FieldError } from "../../lib/errors";
import { HttpUrl } from "../../lib/text";
import { familyOfKey, MEDIA_PATH_PREFIX, type MediaFamily } from "./media.policy";

/** The origin media URLs are made on and checked against: MEDIA_PUBLIC_URL, else APP_URL's. */
export function mediaOrigin(config: Pick<Config, "APP_URL" | "MEDIA_PUBLIC_URL">): string {
  return new URL(config.MEDIA_PUBLIC_URL ?? config.APP_URL).origin;
}

/** The public URL of a stored object. */
export function mediaUrlFor(config: Pick<Config, "APP_URL" | "MEDIA_PUBLIC_URL">, key: string): string {
  return `${mediaOrigin(config)}${MEDIA_PATH_PREFIX}${key}`;
}

/** The key of a URL shaped like one of ours (`.../media/<key>`, no query or fragment), else null. */
function keyOf(url: URL): string | null {
  if (url.search || url.hash || url.username || url.password || !url.pathname.startsWith(MEDIA_PATH_PREFIX)) return null;
  const key = url.pathname.slice(MEDIA_PATH_PREFIX.length);
  return familyOfKey(key) ? key : null;
}

function parse(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/**
 * A URL field that must name an upload of this service: an absolute http(s) URL whose path is
 * `/media/<key>` with a key the service makes. The origin depends on the deployment, so the
 * schema checks the shape and {@link assertOwnMediaUrls} (or {@link isAllowedMediaUrl}) the
 * origin, with the request's config.
 *
 * @example
 * z.object({ url: MediaUrl }) // then: assertOwnMediaUrls(ctx.config, [{ path: "body.url", url }])
 */
export const MediaUrl = HttpUrl.refine((value) => {
  const url = parse(value);
  return url !== null && keyOf(url) !== null;
}, "A URL returned by POST /api/media").openapi({ example: "https://mundotango.life/media/3q2-7wEjQyKlq0vKv9JzUw.jpg" });

/** True when `value` is the URL of one of this service's uploads (of `family`, when given). */
export function isAllowedMediaUrl(
  value: string,
  config: Pick<Config, "APP_URL" | "MEDIA_PUBLIC_URL">,
  family?: MediaFamily,
): boolean {
  const url = parse(value);
  const key = url && url.origin === mediaOrigin(config) ? keyOf(url) : null;
  return key !== null && (family === undefined || familyOfKey(key) === family);
}

/**
 * Refuses (400 `media_url_not_allowed`, one error per bad field) URLs that are not this
 * service's uploads, or whose file is not the family the field says (a video called an image).
 * What a post, a comment, friendship media or an event stores passes through here.
 *
 * @example
 * assertOwnMediaUrls(ctx.config, input.media.map((m, i) => ({ path: `body.media.${i}.url`, url: m.url, family: m.type })));
 */
export function assertOwnMediaUrls(
  config: Pick<Config, "APP_URL" | "MEDIA_PUBLIC_URL">,
  fields: { path: string; url: string; family?: MediaFamily }[],
): void {
  const errors: FieldError[] = fields
    .filter((field) => !isAllowedMediaUrl(field.url, config, field.family))
    .map((field) => ({
      path: field.path,
      message: `Not ${field.family === "video" ? "a video" : field.family === "image" ? "an image" : "a file"} uploaded with POST /api/media`,
    }));
  if (errors.length === 0) return;
  throw new AppError(400, "media_url_not_allowed", "Media must be uploaded with POST /api/media first.", { errors });
}

