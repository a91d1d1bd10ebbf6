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

/**
 * The rate-limit key part for a client IP: an IPv4 address as is, an IPv6 address as its
 * /64 network (one subscriber usually holds a whole /64, so keying on the full address would
 * give them 2^64 buckets). An IPv4-mapped IPv6 address counts as its IPv4 address.
 *
 * @example
 * clientNetworkKey("2001:db8:1:2:aaaa::1"); // "2001:db8:1:2::/64"
 */
export function clientNetworkKey(ip: string | null | undefined): string {
  if (!ip) return "unknown";
  const address = ip.trim().toLowerCase().split("%")[0]!.slice(0, 64);
  if (!address.includes(":")) return address;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (mapped) return mapped[1]!;
  const halves = address.split("::");
  if (halves.length > 2) return address;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const groups = halves.length === 2 ? [...head, ...Array<string>(Math.max(0, 8 - head.length - tail.length)).fill("0"), ...tail] : head;
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return address;
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(":")}::/64`;
}
