import { hc } from "hono/client";
import type { App } from "./app";

/**
 * A typed client for TypeScript callers of this API (hono/client): paths, inputs and
 * JSON outputs are checked at compile time against the route definitions.
 *
 * @example
 * const api = createClient("https://api.mundotango.life", { headers: { authorization: `Bearer ${token}` } });
 * const res = await api.api.auth.me.$get();
 * if (res.ok) console.log((await res.json()).username);
 */
export function createClient(baseUrl: string, options?: Parameters<typeof hc>[1]) {
  return hc<App>(baseUrl, options);
}
