import { scrypt, timingSafeEqual } from "node:crypto";
import bcrypt from "bcryptjs";
import { base64Decode, base64Encode } from "./encoding";

interface ScryptParams {
  ln: number;
  r: number;
  p: number;
}

/**
 * scrypt costs, chosen by configuration (`PASSWORD_HASH_COST`):
 * - `standard`: N = 2^14, r = 8 (16 MiB), p = 5. OWASP's equivalent of N = 2^17 for hosts
 *   with little memory (a Worker has 128 MB). Native under `nodejs_compat`, so it stays fast.
 * - `fast`: N = 2^10, p = 1, about 200 times cheaper, for the test suite only (the config
 *   refuses it in production).
 * Changing a cost later is safe: hashes record their parameters, `verifyPassword` reads them
 * back, and `needsRehash` tells the login flow to upgrade hashes made at another cost.
 */
export const PASSWORD_COSTS = {
  standard: { ln: 14, r: 8, p: 5 },
  fast: { ln: 10, r: 8, p: 1 },
} as const satisfies Record<string, ScryptParams>;

export type PasswordCost = keyof typeof PASSWORD_COSTS;

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Uint8Array, params: ScryptParams, length: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize("NFC"),
      salt,
      length,
      { N: 2 ** params.ln, r: params.r, p: params.p, maxmem: 2 ** params.ln * params.r * 256 },
      (error: Error | null, key: Uint8Array) => (error ? reject(error) : resolve(new Uint8Array(key))),
    );
  });
}

const b64 = (bytes: Uint8Array) => base64Encode(bytes).replace(/=+$/, "");

const prefix = ({ ln, r, p }: ScryptParams) => `$scrypt$ln=${ln},r=${r},p=${p}$`;

/**
 * Hashes a password as a PHC string that records its parameters:
 * `$scrypt$ln=14,r=8,p=5$<salt>$<hash>` (base64, no padding).
 *
 * @example
 * const stored = await hashPassword("milonga-2026");
 * await verifyPassword("milonga-2026", stored); // true
 */
export async function hashPassword(password: string, cost: PasswordCost = "standard"): Promise<string> {
  const params = PASSWORD_COSTS[cost];
  const salt = crypto.getRandomValues(new Uint8Array(SALT_LENGTH));
  const key = await derive(password, salt, params, KEY_LENGTH);
  return `${prefix(params)}${b64(salt)}$${b64(key)}`;
}

const SCRYPT_HASH = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;
const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/**
 * Checks a password against a stored hash in constant time. Accepts this module's scrypt
 * hashes and the original platform's bcrypt hashes (`$2a$`, `$2b$`, `$2y$`); anything
 * else (or a malformed hash) simply does not match.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const scryptMatch = SCRYPT_HASH.exec(stored);
  if (scryptMatch) {
    const [, ln, r, p, salt, hash] = scryptMatch;
    const expected = base64Decode(hash!);
    const params = { ln: Number(ln), r: Number(r), p: Number(p) };
    if (params.ln > 20 || params.r > 16 || params.p > 16 || expected.length < 16) return false;
    const actual = await derive(password, base64Decode(salt!), params, expected.length);
    return timingSafeEqual(actual, expected);
  }
  if (BCRYPT_HASH.test(stored)) return bcrypt.compare(password, stored);
  return false;
}

/** True when a stored hash is bcrypt or scrypt at another cost than `cost`: rehash it after a login. */
export function needsRehash(stored: string, cost: PasswordCost = "standard"): boolean {
  return !stored.startsWith(prefix(PASSWORD_COSTS[cost]));
}

/** bcrypt reads at most this many bytes of a password; the rest never counted. */
export const BCRYPT_MAX_BYTES = 72;

/**
 * Whether a login that just verified `password` against `stored` may replace the hash with
 * one of `password`: when the hash needs it (see {@link needsRehash}), but never from a typed
 * password over 72 bytes checked by bcrypt, which matched only its first 72 bytes: hashing
 * the whole of it would make whatever followed them the password.
 */
export function mayRehash(password: string, stored: string, cost: PasswordCost = "standard"): boolean {
  if (!needsRehash(stored, cost)) return false;
  return !(BCRYPT_HASH.test(stored) && new TextEncoder().encode(password).length > BCRYPT_MAX_BYTES);
}

/**
 * A well-formed hash of no password anyone knows, at `cost`: verified against when the account
 * does not exist, so a login for an unknown user costs the same time as one with a wrong password.
 */
export function dummyHash(cost: PasswordCost = "standard"): string {
  return `${prefix(PASSWORD_COSTS[cost])}AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
}
