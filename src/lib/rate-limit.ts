import { tooManyRequests } from "./errors";

/**
 * Checks one rate-limit key against a Workers rate-limit binding and throws 429 with
 * `Retry-After` when it is over. Keys name what is limited: `login:ip:203.0.113.7`.
 *
 * @example
 * await throttle(c.env.AUTH_IP_LIMITER, `login:ip:${ip}`);
 */
export async function throttle(limiter: RateLimit, key: string, retryAfterSeconds = 60): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) throw tooManyRequests(retryAfterSeconds);
}
