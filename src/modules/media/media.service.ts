import type { ActorCtx, Ctx } from "../../lib/context";
import { AppError, badRequest, notFound } from "../../lib/errors";
import { base64UrlEncode } from "../../lib/encoding";
import { errorFields } from "../../lib/logger";
import { ifRangeTag, noneMatchHolds, parseRange } from "./media.http";
import {
  declaredMediaType,
  MEDIA_CACHE_CONTROL,
  MEDIA_TYPES,
  mediaTooLarge,
  type MediaType,
  typeMismatchError,
  unsupportedMediaType,
} from "./media.policy";
import type { UploadedMedia } from "./media.schemas";
import { SNIFF_BYTES, sniffMediaKind } from "./media.sniff";
import { mediaUrlFor } from "./media.urls";

export interface UploadInput {
  /** Where media are stored (the `MEDIA` R2 binding). */
  bucket: R2Bucket;
  contentType: string | undefined;
  contentLength: string | undefined;
  body: ReadableStream<Uint8Array> | null;
}

const lengthMismatch = () => badRequest("body_length_mismatch", "The body is not as long as its Content-Length says.");

const storeUnavailable = (cause: unknown) =>
  new AppError(503, "media_store_unavailable", "The file could not be stored right now; retry shortly.", {
    cause,
    headers: { "Retry-After": "5" },
  });

/** The declared body length: null when the header is absent (a chunked upload). */
function declaredLength(header: string | undefined): number | null {
  if (header === undefined) return null;
  if (!/^\d{1,15}$/.test(header.trim())) throw badRequest("invalid_content_length", "Content-Length is not a byte count.");
  return Number(header.trim());
}

/** Reads chunks until `bytes` have come (or the body ended): what the type is sniffed from. */
async function readHead(reader: ReadableStreamDefaultReader<Uint8Array>, bytes: number, length: number) {
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (total < bytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    if (total > length) throw lengthMismatch();
  }
  const head = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    head.set(chunk, at);
    at += chunk.byteLength;
  }
  return head;
}

/**
 * Streams the body into R2 behind the bytes already read. The object is put through a stream of
 * the declared length, so the body is never held in memory, and R2 writes it whole or not at
 * all: a body that ends early or runs long aborts the put (400), and a failed put (503)
 * leaves no object behind.
 */
async function putStream(
  { logger }: Ctx,
  input: { bucket: R2Bucket; key: string; head: Uint8Array; reader: ReadableStreamDefaultReader<Uint8Array>; length: number; options: R2PutOptions },
): Promise<void> {
  const { readable, writable } = new FixedLengthStream(input.length);
  const writer = writable.getWriter();
  // Whichever side fails first says what went wrong: the other then fails because of it.
  let failure = undefined as { by: "client" | "store"; error: unknown } | undefined;
  const stop = (by: "client" | "store") => (error: unknown) => {
    failure ??= { by, error };
    writer.abort(error).catch(() => undefined);
    input.reader.cancel().catch(() => undefined);
  };
  const put = input.bucket.put(input.key, readable, input.options);
  put.catch(stop("store"));
  const pump = pumpBody(writer, input.reader, input.head, input.length);
  pump.catch(stop("client"));
  await Promise.allSettled([pump, put]);
  if (!failure) return;
  if (failure.by === "client" && failure.error instanceof AppError) throw failure.error;
  logger.error("media put failed", { key: input.key, bytes: input.length, ...errorFields(failure.error) });
  throw storeUnavailable(failure.error);
}

/** Writes the sniffed bytes, then the rest of the body; exactly `length` bytes or a 400. */
async function pumpBody(
  writer: WritableStreamDefaultWriter<Uint8Array>,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  head: Uint8Array,
  length: number,
): Promise<void> {
  let written = 0;
  for (let chunk: Uint8Array | undefined = head; chunk; ) {
    written += chunk.byteLength;
    if (written > length) throw lengthMismatch();
    await writer.write(chunk);
    const next = await reader.read().catch((error: unknown) => {
      throw new AppError(400, "body_unreadable", "The upload was cut off.", { cause: error });
    });
    chunk = next.done ? undefined : next.value;
  }
  if (written < length) throw lengthMismatch();
  await writer.close();
}

/**
 * Stores an upload under a key the server makes, as the type its bytes are (sniffed; the
 * declared type must name the same family), within that type's cap. Checks that need no
 * bytes (type named, length, cap) come first, so a refused upload is not read.
 */
export async function storeUpload(ctx: ActorCtx, input: UploadInput): Promise<UploadedMedia> {
  const declared = declaredMediaType(input.contentType);
  if (!declared) throw unsupportedMediaType();
  const length = declaredLength(input.contentLength);
  if (length === 0 || !input.body) throw badRequest("empty_body", "The upload is empty.");
  if (length === null) throw new AppError(411, "length_required", "Send the file with its Content-Length.");
  if (length > declared.maxBytes) throw mediaTooLarge(declared);

  const reader = input.body.getReader();
  let type: MediaType;
  let head: Uint8Array;
  try {
    head = await readHead(reader, SNIFF_BYTES, length);
    const kind = sniffMediaKind(head);
    if (!kind) throw unsupportedMediaType();
    type = MEDIA_TYPES[kind];
    const mismatch = typeMismatchError(declared, type);
    if (mismatch) throw mismatch;
    if (length > type.maxBytes) throw mediaTooLarge(type);
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  }

  const key = `${base64UrlEncode(crypto.getRandomValues(new Uint8Array(16)))}.${type.extension}`;
  await putStream(ctx, {
    bucket: input.bucket,
    key,
    head,
    reader,
    length,
    options: {
      httpMetadata: { contentType: type.contentType, cacheControl: MEDIA_CACHE_CONTROL, contentDisposition: "inline" },
      customMetadata: { uploaderId: String(ctx.actor.id) },
    },
  });
  ctx.logger.info("media stored", { key, contentType: type.contentType, bytes: length, uploaderId: ctx.actor.id });
  return { url: mediaUrlFor(ctx.config, key), key, contentType: type.contentType, size: length };
}

/** Headers every stored object is served with (its type, disposition and cache policy come from R2). */
function objectHeaders(object: R2Object): Headers {
  const headers = new Headers();
  object.writeHttpMetadata(headers);
  headers.set("ETag", object.httpEtag);
  headers.set("Accept-Ranges", "bytes");
  headers.set("X-Content-Type-Options", "nosniff");
  // Uploads are shown by the web app on another origin; opened directly they may not run anything.
  headers.set("Cross-Origin-Resource-Policy", "cross-origin");
  headers.set("Content-Security-Policy", "default-src 'none'; sandbox");
  return headers;
}

const isRangeNotSatisfiable = (error: unknown) => error instanceof Error && error.message.includes("(10039)");

/** 416, naming the object's size (one more read: only a client asking past the end pays it). */
async function unsatisfiable(bucket: R2Bucket, key: string): Promise<never> {
  const object = await bucket.head(key);
  if (!object) throw notFound("media");
  throw new AppError(416, "range_not_satisfiable", `The file has ${object.size} bytes.`, {
    headers: { "Content-Range": `bytes */${object.size}` },
  });
}

/**
 * Serves a stored object: ETag and `If-None-Match` (304, evaluated by R2), one byte range
 * (206 with Content-Range; several ranges are answered with the whole object), `If-Range` with
 * a strong tag (a stale tag gets the whole object), HEAD without the body. One R2 read per
 * request, except for a 416 or a stale `If-Range`.
 */
export async function serveMedia(
  _ctx: Ctx,
  input: { bucket: R2Bucket; key: string; method: string; headers: Headers },
): Promise<Response> {
  const { bucket, key, headers } = input;
  const ifNoneMatch = headers.get("if-none-match");
  if (input.method === "HEAD") {
    const object = await bucket.head(key);
    if (!object) throw notFound("media");
    const status = noneMatchHolds(ifNoneMatch, object.httpEtag) ? 200 : 304;
    const out = objectHeaders(object);
    if (status === 200) out.set("Content-Length", String(object.size));
    return new Response(null, { status, headers: out });
  }

  const range = parseRange(headers.get("range"));
  if (range.kind === "unsatisfiable") return unsatisfiable(bucket, key);
  const ifRange = headers.get("if-range");
  const rangeValidator = ifRange === null ? null : ifRangeTag(ifRange);
  const wantsRange = range.kind === "bytes" && (ifRange === null || rangeValidator !== null);
  const onlyIf = ifNoneMatch === null ? undefined : new Headers({ "if-none-match": ifNoneMatch });

  let object: R2Object | R2ObjectBody | null;
  try {
    object = await bucket.get(key, { onlyIf, range: wantsRange ? range.range : undefined });
  } catch (error) {
    if (wantsRange && isRangeNotSatisfiable(error)) return unsatisfiable(bucket, key);
    throw error;
  }
  if (!object) throw notFound("media");
  if (!("body" in object)) return new Response(null, { status: 304, headers: objectHeaders(object) });

  let partial = wantsRange;
  if (partial && rangeValidator !== null && rangeValidator !== object.etag) {
    // The client's copy is another version: it needs the whole object, not a piece to splice in.
    await object.body.cancel();
    object = await bucket.get(key);
    if (!object) throw notFound("media");
    partial = false;
  }
  const out = objectHeaders(object);
  const body = (object as R2ObjectBody).body;
  const served = object.range as { offset: number; length: number } | undefined;
  if (partial && served) {
    out.set("Content-Range", `bytes ${served.offset}-${served.offset + served.length - 1}/${object.size}`);
    out.set("Content-Length", String(served.length));
    return new Response(body, { status: 206, headers: out });
  }
  out.set("Content-Length", String(object.size));
  return new Response(body, { status: 200, headers: out });
}
