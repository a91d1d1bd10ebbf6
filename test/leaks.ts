import { base64Decode, utf8 } from "../src/lib/encoding";

/**
 * Guards every response the test client sees: no password hash ever, and no private
 * field (email, tokens, Stripe ids, device token, IPs, phone) of a user other than the
 * viewer. Factories and sign-up helpers register each user's private values here.
 */
const privateValues = new Map<number, Set<string>>();

const PASSWORD_HASH = /\$scrypt\$|\$2[aby]\$\d\d\$/;

export function rememberPrivate(userId: number, values: (string | null | undefined)[]): void {
  const known = privateValues.get(userId) ?? new Set<string>();
  for (const value of values) if (value && value.length >= 6) known.add(value);
  privateValues.set(userId, known);
}

/** The user id a JWT is about (not verified: the Worker did that). */
export function subjectOf(token: string | undefined): number | undefined {
  const payload = token?.split(".")[1];
  if (!payload) return undefined;
  try {
    const sub = (JSON.parse(utf8.decode(base64Decode(payload))) as { sub?: string }).sub;
    return sub === undefined ? undefined : Number(sub);
  } catch {
    return undefined;
  }
}

/** The reasons a response body leaks, given who may see what; empty when it does not. */
export function findLeaks(body: string, viewers: Set<number>): string[] {
  const leaks: string[] = [];
  if (PASSWORD_HASH.test(body)) leaks.push("a password hash");
  for (const [userId, values] of privateValues) {
    if (viewers.has(userId)) continue;
    for (const value of values) {
      if (body.includes(value)) leaks.push(`user ${userId}'s private value "${value}"`);
    }
  }
  return leaks;
}
