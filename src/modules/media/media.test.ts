import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../../workers/api";
import { clearOfRateLimitWindowEdge, signedIn } from "../../../test/auth";
import { createApi, useTestDatabase } from "../../../test/harness";
import { MEDIA_TYPES } from "./media.policy";

const t = await useTestDatabase();

const MB = 1024 * 1024;

/** Bytes of each kind: its magic numbers, then a pattern (servers only sniff the start). */
function fileOf(kind: keyof typeof MEDIA_TYPES, size = 1000): Uint8Array {
  const heads: Record<keyof typeof MEDIA_TYPES, number[]> = {
    jpeg: [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...ascii("JFIF"), 0x00],
    png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, ...ascii("IHDR")],
    webp: [...ascii("RIFF"), 0x10, 0x00, 0x00, 0x00, ...ascii("WEBPVP8 ")],
    gif: ascii("GIF89a"),
    mp4: [0x00, 0x00, 0x00, 0x18, ...ascii("ftypisom"), 0x00, 0x00, 0x02, 0x00, ...ascii("isommp41")],
    webm: [
      0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81,
      0x08, 0x42, 0x82, 0x84, ...ascii("webm"), 0x42, 0x87, 0x81, 0x02, 0x42, 0x85, 0x81, 0x02,
    ],
  };
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = i % 251;
  bytes.set(heads[kind]);
  return bytes;
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

function upload(token: string | undefined, body: Uint8Array | string, contentType?: string, headers: Record<string, string> = {}, api = t.api) {
  const length = typeof body === "string" ? new TextEncoder().encode(body).byteLength : body.byteLength;
  return api.post("/api/media", {
    token,
    body,
    headers: { ...(contentType ? { "content-type": contentType } : {}), "content-length": String(length), ...headers },
  });
}

/** The raw bytes the Worker serves (the harness reads bodies as text). */
async function fetchMedia(path: string, headers: Record<string, string> = {}, method = "GET") {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`https://api.mundotango.test${path}`, { method, headers }), t.env, ctx);
  const bytes = new Uint8Array(await res.arrayBuffer());
  await waitOnExecutionContext(ctx);
  return { status: res.status, headers: res.headers, bytes };
}

async function uploaded(kind: keyof typeof MEDIA_TYPES = "png", size = 1000) {
  const { token } = await signedIn(t);
  const file = fileOf(kind, size);
  const res = await upload(token, file, MEDIA_TYPES[kind].contentType);
  expect(res.status).toBe(201);
  return { file, key: res.body.key as string, path: `/media/${res.body.key as string}` };
}

describe("POST /api/media: happy paths", () => {
  it("stores an upload under a server-made key and answers 201 {url, key, contentType, size}", async () => {
    const { user, token } = await signedIn(t);
    const file = fileOf("png", 2048);
    const res = await upload(token, file, "image/png");
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      url: `https://app.mundotango.test/media/${res.body.key}`,
      key: expect.stringMatching(/^[A-Za-z0-9_-]{22}\.png$/),
      contentType: "image/png",
      size: 2048,
    });
    expect(res.headers.get("location")).toBe(res.body.url);
    const stored = await t.env.MEDIA.get(res.body.key);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(file);
    expect(stored!.httpMetadata).toMatchObject({ contentType: "image/png", cacheControl: "public, max-age=31536000, immutable" });
    expect(stored!.customMetadata).toEqual({ uploaderId: String(user.id) });
  });

  it.each(Object.entries(MEDIA_TYPES))("takes %s, stored as what the bytes are", async (kind, type) => {
    const { token } = await signedIn(t);
    const res = await upload(token, fileOf(kind as keyof typeof MEDIA_TYPES), `${type.contentType}; name=x`);
    expect(res.status).toBe(201);
    expect(res.body.contentType).toBe(type.contentType);
    expect(res.body.key.endsWith(`.${type.extension}`)).toBe(true);
  });

  it("believes the bytes within a family: a PNG sent as image/jpeg is stored as a PNG", async () => {
    const { token } = await signedIn(t);
    const res = await upload(token, fileOf("png"), "image/jpeg");
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ contentType: "image/png", key: expect.stringMatching(/\.png$/) });
  });

  it("takes an upload past the API's 1 MB body limit, up to its type's cap exactly", async () => {
    const { token } = await signedIn(t);
    const image = await upload(token, fileOf("jpeg", 10 * MB), "image/jpeg");
    expect(image.status).toBe(201);
    expect(image.body.size).toBe(10 * MB);
    expect((await t.env.MEDIA.head(image.body.key))!.size).toBe(10 * MB);
    // Other API routes keep the 1 MB limit.
    const json = await t.api.patch("/api/users/me", { token, body: JSON.stringify({ bio: "x".repeat(MB + 1) }), headers: { "content-type": "application/json" } });
    expect(json.status).toBe(413);
  });

  it("stores each of many uploads at once under its own key", async () => {
    const { token } = await signedIn(t);
    const file = fileOf("webm", 5000);
    const results = await Promise.all(Array.from({ length: 6 }, () => upload(token, file, "video/webm")));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
    const keys = new Set(results.map((r) => r.body.key as string));
    expect(keys.size).toBe(6);
    for (const key of keys) expect((await t.env.MEDIA.head(key))!.size).toBe(5000);
  });
});

describe("POST /api/media: refused uploads", () => {
  it("refuses a PNG declared as video/mp4 (415 media_type_mismatch)", async () => {
    const { token } = await signedIn(t);
    const res = await upload(token, fileOf("png"), "video/mp4");
    expect(res.status).toBe(415);
    expect(res.body.code).toBe("media_type_mismatch");
  });

  it.each([
    ["an HTML file declared as a PNG", "<!doctype html><html><script>alert(1)</script></html>", "image/png"],
    ["an SVG declared as a PNG", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/png"],
    ["a QuickTime movie declared as an MP4", new Uint8Array([0, 0, 0, 0x14, ...ascii("ftypqt  "), 0, 0, 0, 0, ...ascii("qt  "), 0, 0]), "video/mp4"],
    ["an HTML file declared as HTML", "<html></html>", "text/html"],
    ["an SVG declared as one", "<svg></svg>", "image/svg+xml"],
    ["a PNG with no Content-Type", fileOf("png"), undefined],
  ])("refuses %s (415 unsupported_media_type)", async (_label, body, type) => {
    const { token } = await signedIn(t);
    const res = await upload(token, body, type);
    expect(res.status).toBe(415);
    expect(res.body.code).toBe("unsupported_media_type");
  });

  it("refuses one byte over the cap (413 media_too_large), told from Content-Length", async () => {
    const { token } = await signedIn(t);
    const res = await upload(token, fileOf("png", 10 * MB + 1), "image/png");
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("media_too_large");
  });

  it("refuses a video past the image cap when its bytes are an image", async () => {
    const { token } = await signedIn(t);
    const res = await upload(token, fileOf("gif", 10 * MB + 1), "image/gif");
    expect(res.status).toBe(413);
    const asVideo = await upload(token, fileOf("mp4", 10 * MB + 1), "video/mp4");
    expect(asVideo.status).toBe(201);
  });

  it("refuses a body longer or shorter than its Content-Length (400), storing nothing", async () => {
    const { token } = await signedIn(t);
    const before = await t.env.MEDIA.list({ limit: 1000 });
    const longer = await upload(token, fileOf("png", 5000), "image/png", { "content-length": "4000" });
    expect(longer.status).toBe(400);
    expect(longer.body.code).toBe("body_length_mismatch");
    const shorter = await upload(token, fileOf("png", 5000), "image/png", { "content-length": "6000" });
    expect(shorter.status).toBe(400);
    expect(shorter.body.code).toBe("body_length_mismatch");
    const after = await t.env.MEDIA.list({ limit: 1000 });
    expect(after.objects.length).toBe(before.objects.length);
  });

  it("refuses an empty body (400) and a body without Content-Length (411)", async () => {
    const { token } = await signedIn(t);
    const empty = await upload(token, new Uint8Array(0), "image/png");
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe("empty_body");
    const chunked = await t.api.post("/api/media", { token, body: fileOf("png"), headers: { "content-type": "image/png" } });
    expect(chunked.status).toBe(411);
    expect(chunked.body.code).toBe("length_required");
    const garbage = await upload(token, fileOf("png"), "image/png", { "content-length": "12abc" });
    expect(garbage.status).toBe(400);
  });

  it("answers 503 problem+json when R2 fails mid-upload, and leaves no object behind", async () => {
    const { token } = await signedIn(t);
    const real = t.env.MEDIA;
    const asked: string[] = [];
    // R2 reads part of the body and then fails, as a dropped connection to the store would.
    const failing = {
      head: (key: string) => real.head(key),
      get: (key: string, options?: R2GetOptions) => real.get(key, options),
      put: (key: string, value: ReadableStream<Uint8Array>, options?: R2PutOptions) => {
        asked.push(key);
        let seen = 0;
        const breaking = new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            seen += chunk.byteLength;
            if (seen > 100_000) controller.error(new Error("R2 connection reset"));
            else controller.enqueue(chunk);
          },
        });
        const sized = new FixedLengthStream(300_000);
        void value.pipeThrough(breaking).pipeTo(sized.writable).catch(() => undefined);
        return real.put(key, sized.readable, options);
      },
    } as unknown as R2Bucket;
    const api = createApi({ ...t.env, MEDIA: failing });
    const res = await upload(token, fileOf("jpeg", 300_000), "image/jpeg", {}, api);
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(res.body.code).toBe("media_store_unavailable");
    expect(asked).toHaveLength(1);
    expect(await real.head(asked[0]!)).toBeNull();
  });

  it("refuses a put R2 rejects outright (503)", async () => {
    const { token } = await signedIn(t);
    const failing = {
      put: () => Promise.reject(new Error("put: We encountered an internal error. Please try again. (10001)")),
    } as unknown as R2Bucket;
    const res = await upload(token, fileOf("gif"), "image/gif", {}, createApi({ ...t.env, MEDIA: failing }));
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("media_store_unavailable");
  });

  it("limits uploads to 30 a minute per dancer (429 with Retry-After)", async () => {
    await clearOfRateLimitWindowEdge();
    const { token } = await signedIn(t);
    const other = await signedIn(t);
    const file = fileOf("gif", 100);
    for (let i = 0; i < 30; i++) expect((await upload(token, file, "image/gif")).status).toBe(201);
    const res = await upload(token, file, "image/gif");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("60");
    expect((await upload(other.token, file, "image/gif")).status).toBe(201);
  });
});

describe("POST /api/media: security", () => {
  it("refuses an anonymous upload (401) without storing it", async () => {
    const before = await t.env.MEDIA.list({ limit: 1000 });
    const res = await upload(undefined, fileOf("png"), "image/png");
    expect(res.status).toBe(401);
    expect((await t.env.MEDIA.list({ limit: 1000 })).objects.length).toBe(before.objects.length);
  });

  it("makes the key itself: a key or path sent by the client is ignored", async () => {
    const { token } = await signedIn(t);
    const res = await t.api.post("/api/media?key=../../evil.png", {
      token,
      body: fileOf("png"),
      headers: { "content-type": "image/png", "content-length": "1000", "x-key": "evil.png" },
    });
    expect(res.status).toBe(201);
    expect(res.body.key).toMatch(/^[A-Za-z0-9_-]{22}\.png$/);
  });
});

describe("GET /media/{key}", () => {
  it("serves the file with its type, ETag, immutable caching and range support", async () => {
    const { file, path, key } = await uploaded("png", 1000);
    const res = await fetchMedia(path);
    expect(res.status).toBe(200);
    expect(res.bytes).toEqual(file);
    const stored = await t.env.MEDIA.head(key);
    expect(Object.fromEntries(res.headers)).toMatchObject({
      "content-type": "image/png",
      "content-length": "1000",
      etag: stored!.httpEtag,
      "cache-control": "public, max-age=31536000, immutable",
      "accept-ranges": "bytes",
      "content-disposition": "inline",
      "x-content-type-options": "nosniff",
      "cross-origin-resource-policy": "cross-origin",
    });
  });

  it.each([
    ["a single range", "bytes=0-99", 0, 99],
    ["a range ending past the end", "bytes=990-5000", 990, 999],
    ["a suffix range", "bytes=-10", 990, 999],
    ["a suffix longer than the file", "bytes=-5000", 0, 999],
    ["an open range", "bytes=900-", 900, 999],
  ])("answers %s with 206 and Content-Range", async (_label, range, first, last) => {
    const { file, path } = await uploaded("mp4", 1000);
    const res = await fetchMedia(path, { range });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe(`bytes ${first}-${last}/1000`);
    expect(res.headers.get("content-length")).toBe(String(last - first + 1));
    expect(res.bytes).toEqual(file.slice(first, last + 1));
  });

  it.each(["bytes=1000-", "bytes=5000-6000", "bytes=-0"])("answers the unsatisfiable %s with 416", async (range) => {
    const { path } = await uploaded("mp4", 1000);
    const res = await fetchMedia(path, { range });
    expect(res.status).toBe(416);
    expect(res.headers.get("content-range")).toBe("bytes */1000");
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });

  it.each(["bytes=0-1,5-6", "bytes=9-3", "items=0-5", "bytes=abc"])("serves the whole file for a Range it does not take (%s)", async (range) => {
    const { file, path } = await uploaded("webm", 1000);
    const res = await fetchMedia(path, { range });
    expect(res.status).toBe(200);
    expect(res.bytes).toEqual(file);
  });

  it("answers If-None-Match with 304 when it names the file (weak, listed or *), else 200", async () => {
    const { path, key } = await uploaded();
    const etag = (await t.env.MEDIA.head(key))!.httpEtag;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const res = await fetchMedia(path, { "if-none-match": header });
      expect(res.status, header).toBe(304);
      expect(res.bytes.length).toBe(0);
      expect(res.headers.get("etag")).toBe(etag);
    }
    expect((await fetchMedia(path, { "if-none-match": '"other"' })).status).toBe(200);
    expect((await fetchMedia(path, { "if-none-match": etag, range: "bytes=0-9" })).status).toBe(304);
  });

  it("honours If-Range: the current ETag gets the range, a stale one, a weak one or a date the whole file", async () => {
    const { file, path, key } = await uploaded("mp4", 1000);
    const etag = (await t.env.MEDIA.head(key))!.httpEtag;
    const current = await fetchMedia(path, { range: "bytes=10-19", "if-range": etag });
    expect(current.status).toBe(206);
    expect(current.bytes).toEqual(file.slice(10, 20));
    for (const stale of ['"0123456789abcdef"', `W/${etag}`, "Wed, 21 Oct 2015 07:28:00 GMT"]) {
      const res = await fetchMedia(path, { range: "bytes=10-19", "if-range": stale });
      expect(res.status, stale).toBe(200);
      expect(res.bytes).toEqual(file);
    }
  });

  it("answers HEAD with the headers and no body (304 with a matching If-None-Match)", async () => {
    const { path, key } = await uploaded("jpeg", 1234);
    const res = await fetchMedia(path, {}, "HEAD");
    expect(res.status).toBe(200);
    expect(res.bytes.length).toBe(0);
    expect(res.headers.get("content-length")).toBe("1234");
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    const etag = (await t.env.MEDIA.head(key))!.httpEtag;
    expect((await fetchMedia(path, { "if-none-match": etag }, "HEAD")).status).toBe(304);
  });

  it("is 404 problem+json for a key that is not stored", async () => {
    for (const method of ["GET", "HEAD"]) {
      const res = await fetchMedia("/media/AAAAAAAAAAAAAAAAAAAAAA.png", {}, method);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
    expect((await t.api.get("/media/AAAAAAAAAAAAAAAAAAAAAA.png")).body.code).toBe("not_found");
  });

  it("refuses forged keys (traversal, odd characters, other extensions) with 400 or 404, never reaching R2", async () => {
    const { key } = await uploaded();
    for (const path of [
      "/media/..%2F..%2Fetc%2Fpasswd",
      "/media/%2e%2e%2fsecret.png",
      "/media/../api/health",
      `/media/${key}%00`,
      `/media/${key.replace(".png", ".PNG")}`,
      `/media/${key.replace(".png", ".html")}`,
      `/media/a${key}`,
      `/media/${key}/x`,
      "/media/%E2%80%AE.png",
      "/media/",
    ]) {
      const res = await t.api.get(path);
      expect([400, 404], path).toContain(res.status);
      expect(res.headers.get("content-type"), path).toMatch(/^application\/problem\+json/);
    }
  });
});

describe("OpenAPI", () => {
  it("documents the upload and the file routes", async () => {
    const { paths } = (await t.api.get("/openapi.json")).body;
    expect(Object.keys(paths["/api/media"].post.requestBody.content)).toEqual(Object.values(MEDIA_TYPES).map((type) => type.contentType));
    expect(paths["/media/{key}"].get.security).toBeUndefined();
  });
});
