import type { Ctx } from "../../lib/context";
import type { FlagRule } from "./flags.evaluate";

/**
 * The per-isolate memory of the flags, so that evaluating them costs no database round trip on
 * a warm isolate. One store per database (tests run many databases in one isolate; production
 * has one), holding:
 * - the flag set, read again once older than `FLAG_CACHE_SECONDS` (by the request's `now`);
 *   concurrent cold requests share one load;
 * - a small LRU of dancer id → profile city, with the same lifetime, filled by that load (the
 *   caller's city comes along in the same statement) or by a lookup when a city-targeted flag
 *   needs it.
 * A flag write in this isolate empties its store at once; other isolates see the write within
 * the TTL, and a dancer's new city too.
 */

/** The most cities an isolate remembers per database: the least recently used go first. */
export const CITY_CACHE_SIZE = 5000;

/** What one cold load brings: every flag and, for a signed-in caller, their city (absent: unknown dancer or anonymous). */
export interface LoadedFlags {
  rules: FlagRule[];
  city?: string | null;
}

interface Store {
  rules: FlagRule[] | null;
  loadedAt: number;
  /** Bumped by every write: a load that started before it must not store what it read. */
  generation: number;
  loading: Promise<FlagRule[]> | null;
  cities: Map<number, { city: string | null; at: number }>;
}

const stores = new Map<string, Store>();

function storeOf(ctx: Ctx): Store {
  const key = ctx.config.DATABASE_URL;
  let store = stores.get(key);
  if (!store) {
    store = { rules: null, loadedAt: 0, generation: 0, loading: null, cities: new Map() };
    stores.set(key, store);
  }
  return store;
}

const ttlMs = (ctx: Ctx) => ctx.config.FLAG_CACHE_SECONDS * 1000;

/**
 * Every flag, from this isolate's memory while fresh, else from `load` (one load at a time: a
 * request arriving during a load waits for it). Should the shared load fail (its request
 * cancelled, a database error), a waiting request loads for itself once rather than fail.
 */
export async function cachedRules(ctx: Ctx, userId: number | null, load: () => Promise<LoadedFlags>): Promise<FlagRule[]> {
  const store = storeOf(ctx);
  const now = ctx.now.getTime();
  if (store.rules !== null && now - store.loadedAt < ttlMs(ctx)) return store.rules;
  if (store.loading !== null) {
    try {
      return await store.loading;
    } catch {
      // The request that started the load failed: this one tries on its own below.
    }
  }
  const generation = store.generation;
  const loading = load().then((loaded) => {
    if (store.generation === generation) {
      store.rules = loaded.rules;
      store.loadedAt = now;
    }
    if (userId !== null && loaded.city !== undefined) rememberCity(ctx, userId, loaded.city);
    return loaded.rules;
  });
  store.loading = loading;
  try {
    return await loading;
  } finally {
    if (store.loading === loading) store.loading = null;
  }
}

/** A dancer's city as remembered (`undefined`: not remembered, or remembered too long ago). */
export function cachedCity(ctx: Ctx, userId: number): string | null | undefined {
  const cities = storeOf(ctx).cities;
  const entry = cities.get(userId);
  if (entry === undefined) return undefined;
  if (ctx.now.getTime() - entry.at >= ttlMs(ctx)) {
    cities.delete(userId);
    return undefined;
  }
  // Most recently used last: the Map keeps insertion order, so eviction takes the first key.
  cities.delete(userId);
  cities.set(userId, entry);
  return entry.city;
}

export function rememberCity(ctx: Ctx, userId: number, city: string | null): void {
  const cities = storeOf(ctx).cities;
  cities.delete(userId);
  cities.set(userId, { city, at: ctx.now.getTime() });
  while (cities.size > CITY_CACHE_SIZE) cities.delete(cities.keys().next().value!);
}

/** After a flag write: this isolate reads the flags again on the next request (cities stay). */
export function forgetFlags(ctx: Ctx): void {
  const store = storeOf(ctx);
  store.generation += 1;
  store.rules = null;
  store.loading = null;
}
