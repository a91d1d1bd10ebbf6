import { utf8 } from "../../lib/encoding";
import { cityKey } from "./flags.schemas";

/**
 * How a flag is decided for a caller: pure functions of the flag and the caller, so every
 * isolate, every request and `isFlagOn` give the same dancer the same answer.
 */

/** Rollout buckets: 0.01% steps, so a finer percentage later moves no one already in. */
export const ROLLOUT_BUCKETS = 10_000;

/** A flag as evaluation needs it: its lists as sets, its cities folded (see {@link cityKey}). */
export interface FlagRule {
  key: string;
  enabled: boolean;
  rolloutPercentage: number;
  allow: ReadonlySet<number>;
  deny: ReadonlySet<number>;
  minLevel: number | null;
  cities: ReadonlySet<string>;
}

/** Who a flag is decided for: a signed-in dancer (level from the token, city from the profile), or nobody. */
export interface Subject {
  userId: number;
  level: number;
  /** The profile's city, or null when it has none. */
  city: string | null;
}

/**
 * The dancer's rollout bucket for a flag, 0-9999: the first four bytes of
 * SHA-256(`${flagKey}:${userId}`) as a big-endian unsigned integer, mod 10,000. Stable (the
 * same bucket in every isolate, for ever), uniform, and independent between flags (the key is
 * hashed in, so two 25% flags pick different quarters of the dancers). A dancer in at 10% stays
 * in at 20%: raising a rollout only adds dancers.
 *
 * @example
 * await rolloutBucket("new-feed", 42) < 25 * 100 // on at 25%?
 */
export async function rolloutBucket(flagKey: string, userId: number): Promise<number> {
  const digest = await crypto.subtle.digest("SHA-256", utf8.encode(`${flagKey}:${userId}`));
  return new DataView(digest).getUint32(0) % ROLLOUT_BUCKETS;
}

/**
 * Whether a flag is on for a subject: enabled AND not denied AND (allowed OR (level ≥ minLevel
 * AND (no cities OR the subject's city among them, any case) AND bucket < rollout)). With no
 * subject (an anonymous caller, a cron job) only an enabled 100% flag without level or city
 * targeting is on.
 */
export async function isOnFor(flag: FlagRule, subject: Subject | null): Promise<boolean> {
  if (!flag.enabled) return false;
  if (subject === null) return flag.rolloutPercentage >= 100 && flag.minLevel === null && flag.cities.size === 0;
  if (flag.deny.has(subject.userId)) return false;
  if (flag.allow.has(subject.userId)) return true;
  if (!passesTargeting(flag, subject.level)) return false;
  if (flag.cities.size > 0 && (subject.city === null || !flag.cities.has(cityKey(subject.city)))) return false;
  if (flag.rolloutPercentage >= 100) return true;
  if (flag.rolloutPercentage <= 0) return false;
  return (await rolloutBucket(flag.key, subject.userId)) < flag.rolloutPercentage * (ROLLOUT_BUCKETS / 100);
}

/**
 * Whether deciding any of these flags for this dancer reads their city: only an enabled flag
 * with cities, which the lists, the level and a rollout above 0 have not decided already.
 * Otherwise the city is never looked up.
 */
export function needsCity(flags: readonly FlagRule[], userId: number, level: number): boolean {
  return flags.some(
    (flag) =>
      flag.enabled &&
      flag.cities.size > 0 &&
      flag.rolloutPercentage > 0 &&
      !flag.deny.has(userId) &&
      !flag.allow.has(userId) &&
      passesTargeting(flag, level),
  );
}

/** Every flag's key and whether it is on for the subject. */
export async function evaluateAll(flags: readonly FlagRule[], subject: Subject | null): Promise<Record<string, boolean>> {
  const answers = await Promise.all(flags.map((flag) => isOnFor(flag, subject)));
  return Object.fromEntries(flags.map((flag, i) => [flag.key, answers[i]!]));
}

function passesTargeting(flag: FlagRule, level: number): boolean {
  return flag.minLevel === null || level >= flag.minLevel;
}
