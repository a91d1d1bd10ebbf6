import type { Ctx } from "../../lib/context";
import { cachedCity, cachedRules, rememberCity } from "./flags.cache";
import { evaluateAll, type FlagRule, isOnFor, needsCity, type Subject } from "./flags.evaluate";
import { loadCity, loadFlagRules } from "./flags.service";

/**
 * The flags and who they are decided for: no round trip on a warm isolate; one on a cold one
 * (the flags and the caller's city in one statement); one when only the city of a dancer is not
 * remembered and a city-targeted flag needs it. The level is the token's (a role change reaches
 * the flags with the next token, within 15 minutes).
 */
async function rulesAndSubject(ctx: Ctx, pick?: string): Promise<{ rules: FlagRule[]; subject: Subject | null }> {
  const userId = ctx.actor?.id ?? null;
  const all = await cachedRules(ctx, userId, () => loadFlagRules(ctx, userId));
  const rules = pick === undefined ? all : all.filter((rule) => rule.key === pick);
  if (ctx.actor === null) return { rules, subject: null };
  const { id, level } = ctx.actor;
  let city: string | null = null;
  if (needsCity(rules, id, level)) {
    const known = cachedCity(ctx, id);
    if (known !== undefined) city = known;
    else {
      city = await loadCity(ctx, id);
      rememberCity(ctx, id, city);
    }
  }
  return { rules, subject: { userId: id, level, city } };
}

/** Every flag's key and whether it is on for the caller (anonymous: see {@link isOnFor}). */
export async function evaluateFlags(ctx: Ctx): Promise<Record<string, boolean>> {
  const { rules, subject } = await rulesAndSubject(ctx);
  return evaluateAll(rules, subject);
}

/**
 * Whether a flag is on for the context's actor (none, for a cron job: only an untargeted 100%
 * flag is on). An unknown key is off. From the same per-isolate cache as `GET /api/flags`.
 *
 * @example
 * if (await isFlagOn(ctx, "feed.v2")) return rankedFeed(ctx, page);
 */
export async function isFlagOn(ctx: Ctx, key: string): Promise<boolean> {
  const { rules, subject } = await rulesAndSubject(ctx, key);
  const rule = rules[0];
  return rule === undefined ? false : isOnFor(rule, subject);
}
