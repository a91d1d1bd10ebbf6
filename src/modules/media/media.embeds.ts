/** The services whose players a post may embed. */
export type EmbedProvider = "youtube" | "vimeo" | "spotify" | "soundcloud";

export interface Embed {
  provider: EmbedProvider;
  /** The canonical https URL of the item, the one stored. */
  url: string;
  /** The provider's id of the item (`dQw4w9WgXcQ`, `76979871`, `track/4uLU6hMCjMI75M1A2tKUQC`, `artist/track`). */
  id: string;
}

const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/;
const VIMEO_ID = /^[1-9][0-9]{0,11}$/;
const SPOTIFY_ID = /^[A-Za-z0-9]{22}$/;
const SPOTIFY_KINDS = new Set(["track", "album", "playlist", "episode", "show", "artist"]);
const SOUNDCLOUD_SLUG = /^[a-z0-9_-]{1,100}$/;
/** SoundCloud pages that are not a user (so `/<first>/<second>` is not a track). */
const SOUNDCLOUD_RESERVED = new Set(["discover", "search", "stream", "you", "upload", "charts", "pages", "settings", "messages", "notifications", "people", "tags", "stations", "jobs", "mobile", "imprint", "terms-of-use"]);

const youtube = (id: string | null | undefined): Embed | null =>
  id && YOUTUBE_ID.test(id) ? { provider: "youtube", id, url: `https://www.youtube.com/watch?v=${id}` } : null;

function fromYoutube(url: URL, segments: string[]): Embed | null {
  if (url.hostname === "youtu.be") return segments.length === 1 ? youtube(segments[0]) : null;
  if (segments.length === 1 && segments[0] === "watch") return youtube(url.searchParams.get("v"));
  if (segments.length === 2 && ["shorts", "embed", "live"].includes(segments[0]!)) return youtube(segments[1]);
  return null;
}

function fromVimeo(url: URL, segments: string[]): Embed | null {
  const id = url.hostname === "player.vimeo.com" ? (segments[0] === "video" && segments.length === 2 ? segments[1] : undefined) : segments.length === 1 ? segments[0] : undefined;
  return id && VIMEO_ID.test(id) ? { provider: "vimeo", id, url: `https://vimeo.com/${id}` } : null;
}

function fromSpotify(segments: string[]): Embed | null {
  // Localised links carry a prefix (`/intl-es/track/...`); embed links one too (`/embed/track/...`).
  const rest = segments[0] && /^(intl-[a-z]{2}(-[a-z]{2})?|embed)$/i.test(segments[0]) ? segments.slice(1) : segments;
  if (rest.length !== 2) return null;
  const [kind, id] = rest as [string, string];
  if (!SPOTIFY_KINDS.has(kind) || !SPOTIFY_ID.test(id)) return null;
  return { provider: "spotify", id: `${kind}/${id}`, url: `https://open.spotify.com/${kind}/${id}` };
}

function fromSoundcloud(segments: string[]): Embed | null {
  const path = segments.length === 3 && segments[1] === "sets" ? [segments[0]!, "sets", segments[2]!] : segments.length === 2 ? segments : null;
  if (!path || SOUNDCLOUD_RESERVED.has(path[0]!) || !path.every((s) => SOUNDCLOUD_SLUG.test(s))) return null;
  const id = path.join("/");
  return { provider: "soundcloud", id, url: `https://soundcloud.com/${id}` };
}

const HOSTS: Record<string, (url: URL, segments: string[]) => Embed | null> = {
  "youtube.com": fromYoutube,
  "www.youtube.com": fromYoutube,
  "m.youtube.com": fromYoutube,
  "youtube-nocookie.com": fromYoutube,
  "www.youtube-nocookie.com": fromYoutube,
  "youtu.be": fromYoutube,
  "vimeo.com": fromVimeo,
  "www.vimeo.com": fromVimeo,
  "player.vimeo.com": fromVimeo,
  "open.spotify.com": (_url, segments) => fromSpotify(segments),
  "soundcloud.com": (_url, segments) => fromSoundcloud(segments),
  "www.soundcloud.com": (_url, segments) => fromSoundcloud(segments),
  "m.soundcloud.com": (_url, segments) => fromSoundcloud(segments),
};

/**
 * A link to a YouTube, Vimeo, Spotify or SoundCloud item as its canonical https URL, or null
 * for anything else: another host, a link with credentials or a port, a page that is not one
 * item (a channel, a search), and short links that only the provider can resolve
 * (`on.soundcloud.com`, `spotify.link`). Tracking parameters and fragments are dropped.
 *
 * @example
 * normaliseEmbedUrl("https://youtu.be/dQw4w9WgXcQ?si=abc");
 * // { provider: "youtube", id: "dQw4w9WgXcQ", url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ" }
 */
export function normaliseEmbedUrl(input: string): Embed | null {
  if (input.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return null;
  }
  if (!["https:", "http:"].includes(url.protocol) || url.username || url.password || url.port) return null;
  const parse = HOSTS[url.hostname];
  if (!parse) return null;
  const segments = url.pathname.split("/").filter(Boolean);
  return parse(url, segments);
}
