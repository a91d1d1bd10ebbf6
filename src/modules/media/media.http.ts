/**
 * The HTTP side of serving media, as pure functions: which byte range a `Range` header asks
 * for, and whether an entity tag list (`If-None-Match`, `If-Range`) names the stored object.
 */

/** What a `Range` header asks for: nothing (serve it all), bytes R2 can read, or nothing servable. */
export type RangeRequest = { kind: "all" } | { kind: "bytes"; range: R2Range } | { kind: "unsatisfiable" };

/** At most 15 digits: every offset stays a safe integer. */
const SINGLE_RANGE = /^bytes=(\d{0,15})-(\d{0,15})$/i;

/**
 * One byte range (`bytes=0-99`, `bytes=100-`, `bytes=-500`). A header this server does not
 * take (several ranges, another unit, a last byte before the first, garbage) is ignored and
 * the whole object is served, as RFC 9110 allows; `bytes=-0` can never be served. Whether a
 * range starts past the end is known only with the object (R2 answers that).
 *
 * @example
 * parseRange("bytes=-500"); // { kind: "bytes", range: { suffix: 500 } }
 */
export function parseRange(header: string | null): RangeRequest {
  const match = header ? SINGLE_RANGE.exec(header.trim()) : null;
  if (!match) return { kind: "all" };
  const [, first, last] = match as unknown as [string, string, string];
  if (first === "" && last === "") return { kind: "all" };
  if (first === "") return Number(last) === 0 ? { kind: "unsatisfiable" } : { kind: "bytes", range: { suffix: Number(last) } };
  const offset = Number(first);
  if (last === "") return { kind: "bytes", range: { offset } };
  const end = Number(last);
  return end < offset ? { kind: "all" } : { kind: "bytes", range: { offset, length: end - offset + 1 } };
}

/** The opaque tags of an entity tag list, weak ones (`W/"x"`) with their prefix. */
function entityTags(header: string): string[] {
  return header.match(/(?:W\/)?"[^"]*"/g) ?? [];
}

/**
 * `If-None-Match` against the object's tag, by the weak comparison RFC 9110 prescribes for
 * it: `*` or any listed tag, with or without `W/`, matches.
 */
export function noneMatchHolds(header: string | null, httpEtag: string): boolean {
  if (header === null) return true;
  if (header.trim() === "*") return false;
  const strip = (tag: string) => tag.replace(/^W\//, "");
  return !entityTags(header).some((tag) => strip(tag) === strip(httpEtag));
}

/**
 * The strong entity tag an `If-Range` names, unquoted (what R2's `etagMatches` takes), or
 * null when it names a date or a weak tag: this server sends no Last-Modified, and a weak tag
 * may not validate a range, so either way the whole object is served.
 */
export function ifRangeTag(header: string | null): string | null {
  const match = header ? /^"([^"]*)"$/.exec(header.trim()) : null;
  return match ? match[1]! : null;
}
