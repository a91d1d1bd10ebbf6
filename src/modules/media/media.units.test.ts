import { describe, expect, it } from "vitest";
import { normaliseEmbedUrl } from "./media.embeds";
import { ifRangeTag, noneMatchHolds, parseRange } from "./media.http";
import { sniffMediaKind } from "./media.sniff";
import { assertOwnMediaUrls, isAllowedMediaUrl, MediaUrl } from "./media.urls";

const bytes = (...parts: (number[] | string)[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : p)));

/** An EBML header holding only a DocType element. */
const ebml = (docType: string) => bytes([0x1a, 0x45, 0xdf, 0xa3, 0x80 | (docType.length + 3), 0x42, 0x82, 0x80 | docType.length], docType);

describe("sniffMediaKind", () => {
  it.each([
    ["jpeg", bytes([0xff, 0xd8, 0xff, 0xdb, 0, 0])],
    ["png", bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])],
    ["gif", bytes("GIF87a", [1, 0])],
    ["gif", bytes("GIF89a", [1, 0])],
    ["webp", bytes("RIFF", [0, 0, 0, 0], "WEBPVP8L", [0])],
    ["webp", bytes("RIFF", [0, 0, 0, 0], "WEBPVP8X", [0])],
    ["mp4", bytes([0, 0, 0, 0x18], "ftypmp42", [0, 0, 0, 0], "mp42isom")],
    ["mp4", bytes([0, 0, 0, 0x14], "ftypM4V ", [0, 0, 0, 0], "M4V ")],
    ["webm", ebml("webm")],
  ])("knows %s", (kind, head) => {
    expect(sniffMediaKind(head)).toBe(kind);
  });

  it.each([
    ["HTML", bytes("<!doctype html><html>")],
    ["SVG", bytes("<svg xmlns='http://www.w3.org/2000/svg'>")],
    ["PDF", bytes("%PDF-1.7")],
    ["a truncated PNG signature", bytes([0x89, 0x50, 0x4e, 0x47])],
    ["GIF90a", bytes("GIF90a")],
    ["a RIFF WAVE", bytes("RIFF", [0, 0, 0, 0], "WAVEfmt ")],
    ["RIFF WEBP without a VP8 chunk", bytes("RIFF", [0, 0, 0, 0], "WEBPJUNK")],
    ["a QuickTime movie", bytes([0, 0, 0, 0x14], "ftypqt  ", [0, 0, 0, 0], "qt  ")],
    ["a HEIC photo", bytes([0, 0, 0, 0x18], "ftypheic", [0, 0, 0, 0], "mif1heic")],
    ["an AVIF image", bytes([0, 0, 0, 0x1c], "ftypavif", [0, 0, 0, 0], "avifmif1miaf")],
    ["an ftyp box too small", bytes([0, 0, 0, 0x08], "ftypisom", [0, 0, 0, 0])],
    ["a Matroska file", ebml("matroska")],
    ["an EBML header cut short", ebml("webm").slice(0, 10)],
    ["an EBML header with a zero size byte", bytes([0x1a, 0x45, 0xdf, 0xa3, 0x00, 0x42, 0x82])],
    ["nothing", new Uint8Array(0)],
  ])("refuses %s", (_label, head) => {
    expect(sniffMediaKind(head)).toBeNull();
  });
});

describe("parseRange", () => {
  it.each([
    [null, { kind: "all" }],
    ["bytes=0-99", { kind: "bytes", range: { offset: 0, length: 100 } }],
    ["bytes=100-", { kind: "bytes", range: { offset: 100 } }],
    ["bytes=-500", { kind: "bytes", range: { suffix: 500 } }],
    ["BYTES=5-5", { kind: "bytes", range: { offset: 5, length: 1 } }],
    ["bytes=-0", { kind: "unsatisfiable" }],
    ["bytes=0-1,4-5", { kind: "all" }],
    ["bytes=9-3", { kind: "all" }],
    ["bytes=-", { kind: "all" }],
    ["items=0-5", { kind: "all" }],
    ["bytes=1234567890123456-", { kind: "all" }],
  ])("reads %s", (header, expected) => {
    expect(parseRange(header)).toEqual(expected);
  });
});

describe("entity tags", () => {
  it("compares If-None-Match weakly, with lists and *", () => {
    expect(noneMatchHolds(null, '"a"')).toBe(true);
    expect(noneMatchHolds('"a"', '"a"')).toBe(false);
    expect(noneMatchHolds('W/"a"', '"a"')).toBe(false);
    expect(noneMatchHolds('"b", W/"a"', '"a"')).toBe(false);
    expect(noneMatchHolds("*", '"a"')).toBe(false);
    expect(noneMatchHolds('"b"', '"a"')).toBe(true);
    expect(noneMatchHolds("garbage", '"a"')).toBe(true);
  });

  it("takes only a strong tag from If-Range", () => {
    expect(ifRangeTag('"abc"')).toBe("abc");
    expect(ifRangeTag('W/"abc"')).toBeNull();
    expect(ifRangeTag("Wed, 21 Oct 2015 07:28:00 GMT")).toBeNull();
    expect(ifRangeTag(null)).toBeNull();
  });
});

describe("normaliseEmbedUrl", () => {
  it.each([
    ["https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s", "youtube", "dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"],
    ["https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"],
    ["https://youtu.be/dQw4w9WgXcQ?si=tracking", "youtube", "dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"],
    ["https://www.youtube.com/shorts/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"],
    ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"],
    ["http://YouTube.com/watch?v=dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"],
    ["https://vimeo.com/76979871", "vimeo", "76979871", "https://vimeo.com/76979871"],
    ["https://player.vimeo.com/video/76979871?h=abc", "vimeo", "76979871", "https://vimeo.com/76979871"],
    ["https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=x", "spotify", "track/4uLU6hMCjMI75M1A2tKUQC", "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"],
    ["https://open.spotify.com/intl-es/album/1DFixLWuPkv3KT3TnV35m3", "spotify", "album/1DFixLWuPkv3KT3TnV35m3", "https://open.spotify.com/album/1DFixLWuPkv3KT3TnV35m3"],
    ["https://open.spotify.com/embed/playlist/37i9dQZF1DXbITWG1ZJKYt", "spotify", "playlist/37i9dQZF1DXbITWG1ZJKYt", "https://open.spotify.com/playlist/37i9dQZF1DXbITWG1ZJKYt"],
    ["https://soundcloud.com/tangoargentino/la-cumparsita#t=1", "soundcloud", "tangoargentino/la-cumparsita", "https://soundcloud.com/tangoargentino/la-cumparsita"],
    ["https://m.soundcloud.com/tangoargentino/sets/di-sarli", "soundcloud", "tangoargentino/sets/di-sarli", "https://soundcloud.com/tangoargentino/sets/di-sarli"],
  ])("normalises %s", (input, provider, id, url) => {
    expect(normaliseEmbedUrl(input)).toEqual({ provider, id, url });
  });

  it.each([
    "https://evil.example/watch?v=dQw4w9WgXcQ",
    "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com/watch?v=short",
    "https://www.youtube.com/@somechannel",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ\"><script>",
    "javascript:alert(1)//youtu.be/dQw4w9WgXcQ",
    "https://user:pw@youtu.be/dQw4w9WgXcQ",
    "https://youtu.be:8443/dQw4w9WgXcQ",
    "https://vimeo.com/channels/staffpicks",
    "https://vimeo.com/076979871",
    "https://open.spotify.com/user/someone",
    "https://open.spotify.com/track/short",
    "https://on.soundcloud.com/AbCd",
    "https://soundcloud.com/discover/sets/x",
    "https://soundcloud.com/tangoargentino",
    "not a url",
  ])("refuses %s", (input) => {
    expect(normaliseEmbedUrl(input)).toBeNull();
  });
});

describe("own media URLs", () => {
  const config = { APP_URL: "https://mundotango.life", MEDIA_PUBLIC_URL: undefined };
  const key = "3q2-7wEjQyKlq0vKv9JzUw";

  it("allows this service's upload URLs only, on the configured origin", () => {
    expect(isAllowedMediaUrl(`https://mundotango.life/media/${key}.jpg`, config)).toBe(true);
    expect(isAllowedMediaUrl(`https://mundotango.life/media/${key}.jpg`, config, "image")).toBe(true);
    expect(isAllowedMediaUrl(`https://mundotango.life/media/${key}.mp4`, config, "image")).toBe(false);
    expect(isAllowedMediaUrl(`https://media.mundotango.life/media/${key}.jpg`, config)).toBe(false);
    expect(isAllowedMediaUrl(`https://media.mundotango.life/media/${key}.jpg`, { ...config, MEDIA_PUBLIC_URL: "https://media.mundotango.life" })).toBe(true);
    for (const url of [
      `http://mundotango.life/media/${key}.jpg`,
      `https://mundotango.life.evil.example/media/${key}.jpg`,
      `https://mundotango.life/media/${key}.jpg?x=1`,
      `https://mundotango.life/media/${key}.svg`,
      `https://mundotango.life/media/../api/${key}.jpg`,
      `https://user@mundotango.life/media/${key}.jpg`,
      `/media/${key}.jpg`,
      "https://cdn.example.com/abrazo.jpg",
    ]) {
      expect(isAllowedMediaUrl(url, config), url).toBe(false);
    }
  });

  it("checks the shape statically and the origin with the config, naming each bad field", () => {
    expect(MediaUrl.safeParse(`https://anywhere.example/media/${key}.png`).success).toBe(true);
    expect(MediaUrl.safeParse("https://cdn.example.com/a.png").success).toBe(false);
    expect(() =>
      assertOwnMediaUrls(config, [
        { path: "body.a", url: `https://mundotango.life/media/${key}.png` },
        { path: "body.b", url: `https://other.example/media/${key}.png` },
        { path: "body.c", url: `https://mundotango.life/media/${key}.webm`, family: "image" },
      ]),
    ).toThrow(expect.objectContaining({ status: 400, code: "media_url_not_allowed", errors: [expect.objectContaining({ path: "body.b" }), expect.objectContaining({ path: "body.c" })] }));
  });
});
