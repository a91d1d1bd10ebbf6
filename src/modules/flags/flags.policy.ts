/** Who may manage flags: admins read them, super admins write them (issue 16: read 5+, write 7+). */
export const FLAG_READ_LEVEL = 5;
export const FLAG_WRITE_LEVEL = 7;

/**
 * The versions an `If-Match` header accepts (`"1765017206123456"`, or a list of such), or
 * `undefined` when any version will do (no header, or `*`). Only strong tags count (If-Match
 * compares strongly): a header naming none of ours matches no version at all.
 */
export function ifMatchVersions(header: string | undefined): string[] | undefined {
  if (header === undefined) return undefined;
  const tags = header.split(",").map((tag) => tag.trim());
  if (tags.includes("*")) return undefined;
  return tags.flatMap((tag) => /^"([0-9]{1,20})"$/.exec(tag)?.[1] ?? []);
}

/** A flag's ETag: its version, quoted. */
export const etagOf = (flag: { version: string }) => `"${flag.version}"`;
