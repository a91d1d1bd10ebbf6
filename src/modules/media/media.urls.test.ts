import { describe, expect, it } from "vitest";
import { isAllowedMediaUrl, normaliseEmbedUrl } from "./index";

describe("normaliseEmbedUrl", () => {
  it.each([
    ["https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=x", "youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "dQw4w9WgXcQ"],
    ["http://youtube.com/watch?v=dQw4w9WgXcQ", "youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "dQw4w9WgXcQ"],
    ["https://m.youtube.com/watch?v=dQw4w9WgXcQ", "youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "dQw4w9WgXcQ"],
    ["https://youtu.be/dQw4w9WgXcQ?t=42", "youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "dQw4w9WgXcQ"],
    ["https://www.youtube.com/shorts/dQw4w9WgXcQ", "youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "dQw4w9WgXcQ"],
    ["https://www.youtube.com/embed/dQw4w9WgXcQ", "youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "dQw4w9WgXcQ"],
    ["https://vimeo.com/76979871", "vimeo", "https://vimeo.com/76979871", "76979871"],
    ["https://player.vimeo.com/video/76979871?h=abc", "vimeo", "https://vimeo.com/76979871", "76979871"],
    ["https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=abc", "spotify", "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", "4uLU6hMCjMI75M1A2tKUQC"],
    ["https://open.spotify.com/intl-es/album/4uLU6hMCjMI75M1A2tKUQC", "spotify", "https://open.spotify.com/album/4uLU6hMCjMI75M1A2tKUQC", "4uLU6hMCjMI75M1A2tKUQC"],
    ["https://open.spotify.com/playlist/37i9dQZF1DX0XUsuxWHRQd", "spotify", "https://open.spotify.com/playlist/37i9dQZF1DX0XUsuxWHRQd", "37i9dQZF1DX0XUsuxWHRQd"],
    ["https://soundcloud.com/Orquesta-Tipica/la-cumparsita?in=x", "soundcloud", "https://soundcloud.com/orquesta-tipica/la-cumparsita", "orquesta-tipica/la-cumparsita"],
    ["https://m.soundcloud.com/user/track", "soundcloud", "https://soundcloud.com/user/track", "user/track"],
  ])("%s", (url, provider, canonical, id) => {
    expect(normaliseEmbedUrl(url)).toEqual({ provider, url: canonical, id });
  });

  it.each([
    "https://example.com/watch?v=dQw4w9WgXcQ",
    "https://youtube.com.evil.test/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com/watch?v=short",
    "https://www.youtube.com/channel/UCxyz",
    "ftp://youtu.be/dQw4w9WgXcQ",
    "https://user:pw@youtu.be/dQw4w9WgXcQ",
    "https://vimeo.com/channels/staffpicks",
    "https://open.spotify.com/user/someone",
    "https://open.spotify.com/track/tooshort",
    "https://soundcloud.com/user",
    "https://soundcloud.com/user/sets",
    "https://soundcloud.com/user/sets/album",
    "javascript:alert(1)",
    "not a url",
  ])("refuses %s", (url) => {
    expect(normaliseEmbedUrl(url)).toBeNull();
  });
});

describe("isAllowedMediaUrl", () => {
  const config = { APP_URL: "https://mundotango.life" };
  it.each([
    ["https://mundotango.life/media/abc123.jpg", true],
    ["https://mundotango.life/media/2026/11/abc-123_x.webp", true],
    ["https://mundotango.life/media/", false],
    ["https://mundotango.life/media/../api/x", false],
    ["https://mundotango.life/media/%2e%2e/x.jpg", false],
    ["https://mundotango.life/media/a.jpg?x=1", false],
    ["https://mundotango.life/media/a.jpg#x", false],
    ["https://mundotango.life/api/a.jpg", false],
    ["http://mundotango.life/media/a.jpg", false],
    ["https://cdn.mundotango.life/media/a.jpg", false],
    ["https://mundotango.life:8443/media/a.jpg", false],
    ["https://evil.test/media/a.jpg", false],
  ])("%s -> %s", (url, allowed) => {
    expect(isAllowedMediaUrl(url, config)).toBe(allowed);
  });
});
