import { normaliseEmbedUrl } from "../media";
import { normaliseHashtag } from "./hashtags.schemas";

/**
 * What a post's text says beyond itself: the hashtags and @mentions in it, and its plain text
 * for search. The same rules on create and on edit (and for every module reading them):
 *
 * - a hashtag is `#` and 1 to 64 letters, digits or `_` holding at least one letter, not
 *   glued to a word before it (`a#b` and URL fragments are not tags) nor running on past 64;
 *   it is stored NFC-normalised and lower-cased without `#` (`#Milonga` -> `milonga`);
 * - a mention is `@` and a username (3 to 30 of `A-Z a-z 0-9 _ .`, starting with a letter or
 *   digit), not glued to a word before it (an email address is not a mention); a trailing
 *   `.` ends the sentence, not the name. It is a candidate only: the database resolves it to
 *   an account (case-insensitively), see posts.service.ts.
 */
const HASHTAG = /(?<![\p{L}\p{N}_&#])#([\p{L}\p{N}_]{1,64})(?![\p{L}\p{N}_])/gu;
const MENTION = /(?<![\p{L}\p{N}_.@])@([A-Za-z0-9][A-Za-z0-9_.]{2,29})(?![A-Za-z0-9_])/gu;

/** At most this many distinct hashtags and mentions in one post (more is a 400, not a silent cut). */
export const MAX_HASHTAGS = 30;
export const MAX_MENTIONS = 20;

/** The distinct hashtags of a text, normalised, in order of first appearance. */
export function extractHashtags(text: string): string[] {
  const tags = new Set<string>();
  // NFC first, so a letter typed as base + combining accent is one letter the pattern takes.
  for (const match of text.normalize("NFC").matchAll(HASHTAG)) {
    const tag = normaliseHashtag(match[1]!);
    if (tag) tags.add(tag);
  }
  return [...tags];
}

/** The distinct mention candidates of a text, lower-cased (usernames match case-insensitively), in order. */
export function extractMentions(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    const name = match[1]!.replace(/\.+$/, "");
    if (name.length >= 3) names.add(name.toLowerCase());
  }
  return [...names];
}

/** The text search indexes: whitespace runs folded to one space, trimmed. */
export function plainText(content: string): string {
  return content.replace(/\s+/gu, " ").trim();
}

/** What a post's content yields for its row. */
export interface ContentFacts {
  hashtags: string[];
  mentionCandidates: string[];
  plainText: string;
}

export function contentFacts(content: string): ContentFacts {
  return { hashtags: extractHashtags(content), mentionCandidates: extractMentions(content), plainText: plainText(content) };
}

/**
 * The embed links of a post in canonical form (a link given twice, in any of its forms, kept
 * once), and the index of each link no player takes. The one place posts call the media
 * module's embed rule.
 */
export function normaliseEmbeds(urls: readonly string[]): { embeds: { provider: string; url: string }[]; refused: number[] } {
  const embeds: { provider: string; url: string }[] = [];
  const refused: number[] = [];
  urls.forEach((url, index) => {
    const embed = normaliseEmbedUrl(url);
    if (!embed) refused.push(index);
    else if (!embeds.some((kept) => kept.url === embed.url)) embeds.push({ provider: embed.provider, url: embed.url });
  });
  return { embeds, refused };
}

