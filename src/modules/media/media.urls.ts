/** The players a post may embed (a link to anything else is refused). */
export const EMBED_PROVIDERS = ["youtube", "vimeo", "spotify", "soundcloud"] as const;
export type EmbedProvider = (typeof EMBED_PROVIDERS)[number];

/** An embed link in its one canonical form, and the provider's id for what it plays. */
export interface MediaEmbed {
  provider: EmbedProvider;
  url: string;
  id: string;
}

const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/;
const VIMEO_ID = /^[0-9]{1,12}$/;
const SPOTIFY_KINDS = new Set(["track", "album", "playlist", "episode", "show", "artist"]);
const SPOTIFY_ID = /^[A-Za-z0-9]{22}$/;
const SOUNDCLOUD_SLUG = /^[a-z0-9_-]{1,100}$/;

function parse(value: string): URL | null {
  if (!URL.canParse(value)) return null;
  const url = new URL(value);
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  if (url.username || url.password || url.port) return null;
  return url;
}

/** The path's non-empty segments (`/a//b/` gives `["a", "b"]`). */
const segments = (url: URL) => url.pathname.split("/").filter(Boolean);

function youtube(url: URL): string | null {
  const host = url.hostname.replace(/^(www|m|music)\./, "");
  const parts = segments(url);
  let id: string | null | undefined;
  if (host === "youtu.be") id = parts.length === 1 ? parts[0] : null;
  else if (host === "youtube.com" || host === "youtube-nocookie.com") {
    if (parts.length === 1 && parts[0] === "watch") id = url.searchParams.get("v");
    else if (parts.length === 2 && ["shorts", "embed", "live", "v"].includes(parts[0]!)) id = parts[1];
  }
  return id && YOUTUBE_ID.test(id) ? id : null;
}

function vimeo(url: URL): string | null {
  const parts = segments(url);
  if (url.hostname === "vimeo.com" || url.hostname === "www.vimeo.com") {
    return parts.length === 1 && VIMEO_ID.test(parts[0]!) ? parts[0]! : null;
  }
  if (url.hostname === "player.vimeo.com") {
    return parts.length === 2 && parts[0] === "video" && VIMEO_ID.test(parts[1]!) ? parts[1]! : null;
  }
  return null;
}

function spotify(url: URL): { kind: string; id: string } | null {
  if (url.hostname !== "open.spotify.com") return null;
  const parts = segments(url);
  // Localised links carry a prefix: open.spotify.com/intl-es/track/...
  if (parts[0]?.startsWith("intl-")) parts.shift();
  if (parts[0] === "embed") parts.shift();
  const [kind, id] = parts;
  if (parts.length !== 2 || !SPOTIFY_KINDS.has(kind!) || !SPOTIFY_ID.test(id!)) return null;
  return { kind: kind!, id: id! };
}

function soundcloud(url: URL): string | null {
  if (!["soundcloud.com", "www.soundcloud.com", "m.soundcloud.com"].includes(url.hostname)) return null;
  const parts = segments(url).map((part) => part.toLowerCase());
  if (parts.length !== 2 || !parts.every((part) => SOUNDCLOUD_SLUG.test(part))) return null;
  // Profile pages, not tracks.
  if (["sets", "tracks", "likes", "reposts", "albums", "popular-tracks"].includes(parts[1]!)) return null;
  return `${parts[0]}/${parts[1]}`;
}

/**
 * A YouTube, Vimeo, Spotify or SoundCloud link in its canonical form (https, the provider's
 * main host, no tracking parameters), or null for anything else: a post carries embeds only
 * in this form, so one track shared through different links is one URL.
 *
 * @example
 * normaliseEmbedUrl("https://youtu.be/dQw4w9WgXcQ?t=42");
 * // { provider: "youtube", url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ", id: "dQw4w9WgXcQ" }
 */
export function normaliseEmbedUrl(value: string): MediaEmbed | null {
  const url = parse(value.trim());
  if (!url) return null;
  const youtubeId = youtube(url);
  if (youtubeId) return { provider: "youtube", url: `https://www.youtube.com/watch?v=${youtubeId}`, id: youtubeId };
  const vimeoId = vimeo(url);
  if (vimeoId) return { provider: "vimeo", url: `https://vimeo.com/${vimeoId}`, id: vimeoId };
  const track = spotify(url);
  if (track) return { provider: "spotify", url: `https://open.spotify.com/${track.kind}/${track.id}`, id: track.id };
  const sound = soundcloud(url);
  if (sound) return { provider: "soundcloud", url: `https://soundcloud.com/${sound}`, id: sound };
  return null;
}

const MEDIA_KEY = /^\/media\/[A-Za-z0-9][A-Za-z0-9_-]*(\/[A-Za-z0-9][A-Za-z0-9_-]*)*(\.[A-Za-z0-9]{1,8})?$/;

/**
 * Whether a URL names a file this service stores: the app's own origin (`APP_URL`) and a
 * `/media/<key>` path, with nothing else (no query, fragment or credentials). Posts, comments
 * and events carry only such URLs for images and videos.
 *
 * @example
 * isAllowedMediaUrl("https://mundotango.life/media/2026/ab12cd.jpg", { APP_URL: "https://mundotango.life" }); // true
 */
export function isAllowedMediaUrl(value: string, config: { APP_URL: string }): boolean {
  if (!URL.canParse(value) || !URL.canParse(config.APP_URL)) return false;
  const url = new URL(value);
  if (url.origin !== new URL(config.APP_URL).origin) return false;
  if (url.username || url.password || url.search || url.hash || value.includes("?") || value.includes("#")) return false;
  return MEDIA_KEY.test(url.pathname);
}
