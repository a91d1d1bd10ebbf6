import { AppError } from "../../lib/errors";

/** Photos and videos: what a post, a comment or a friendship memory says its media is. */
export type MediaFamily = "image" | "video";

export interface MediaType {
  contentType: string;
  extension: string;
  family: MediaFamily;
  /** The largest upload of this type, in bytes. */
  maxBytes: number;
}

const MB = 1024 * 1024;

/**
 * The types the service stores, each with its cap. Caps stay under the Workers request body
 * limit (100 MB on every plan), which is why a video cannot be larger.
 */
export const MEDIA_TYPES = {
  jpeg: { contentType: "image/jpeg", extension: "jpg", family: "image", maxBytes: 10 * MB },
  png: { contentType: "image/png", extension: "png", family: "image", maxBytes: 10 * MB },
  webp: { contentType: "image/webp", extension: "webp", family: "image", maxBytes: 10 * MB },
  gif: { contentType: "image/gif", extension: "gif", family: "image", maxBytes: 10 * MB },
  mp4: { contentType: "video/mp4", extension: "mp4", family: "video", maxBytes: 100 * MB },
  webm: { contentType: "video/webm", extension: "webm", family: "video", maxBytes: 100 * MB },
} as const satisfies Record<string, MediaType>;

export type MediaKind = keyof typeof MEDIA_TYPES;

/** Stored media never change (a new upload gets a new key), so caches may keep them for a year. */
export const MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable";

/** Where the Worker serves media: `/media/<key>`. */
export const MEDIA_PATH_PREFIX = "/media/";

/** The upload route, which has its own body limit (the per-type caps) instead of the API's. */
export const MEDIA_UPLOAD_PATH = "/api/media";

/**
 * A key the server made: 16 random bytes in base64url (22 characters) and the stored type's
 * extension. Nothing else names an object, so a forged or traversing key never reaches R2.
 */
export const MEDIA_KEY_PATTERN = /^[A-Za-z0-9_-]{22}\.(?:jpg|png|webp|gif|mp4|webm)$/;

/** The family a key's extension names (keys are made with the stored type's extension). */
export function familyOfKey(key: string): MediaFamily | null {
  if (!MEDIA_KEY_PATTERN.test(key)) return null;
  const extension = key.slice(key.lastIndexOf(".") + 1);
  return Object.values(MEDIA_TYPES).find((type) => type.extension === extension)?.family ?? null;
}

/** The type a `Content-Type` header names (parameters ignored), when it is one the service stores. */
export function declaredMediaType(header: string | undefined): MediaType | null {
  const essence = header?.split(";")[0]?.trim().toLowerCase();
  return Object.values(MEDIA_TYPES).find((type) => type.contentType === essence) ?? null;
}

const ACCEPTED = Object.values(MEDIA_TYPES)
  .map((type) => type.contentType)
  .join(", ");

export const unsupportedMediaType = () =>
  new AppError(415, "unsupported_media_type", `Upload a photo or a video: ${ACCEPTED}, with its Content-Type.`);

/**
 * The bytes decide what is stored; the declared type must at least name the same family, so a
 * client that calls a PNG a video is told so instead of getting a photo where it wanted a video.
 */
export function typeMismatchError(declared: MediaType, sniffed: MediaType): AppError | null {
  if (declared.family === sniffed.family) return null;
  return new AppError(
    415,
    "media_type_mismatch",
    `The file is ${sniffed.contentType}, but it was sent as ${declared.contentType}.`,
  );
}

export const mediaTooLarge = (type: MediaType) =>
  new AppError(413, "media_too_large", `A ${type.contentType} upload may be at most ${type.maxBytes / MB} MB.`);
