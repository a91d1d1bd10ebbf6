import { scrypt, timingSafeEqual } from "node:crypto";
import bcrypt from "bcryptjs";
import { base64Decode, base64Encode } from "./encoding";

/**
 * scrypt cost: N = 2^14, r = 8 (16 MiB), p = 5. OWASP's equivalent of N = 2^17 for hosts
 * with little memory (a Worker has 128 MB). Native under `nodejs_compat`, so it stays fast.
 * Raising these later is safe: hashes record their parameters, and `needsRehash` tells the
 * login flow to upgrade old ones.
 */
const PARAMS = { ln: 14, r: 8, p: 5 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

interface ScryptParams {
  ln: number;
  r: number;
  p: number;
}

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

/**
 * Hashes a password as a PHC string that records its parameters:
 * `$scrypt$ln=14,r=8,p=5$<salt>$<hash>` (base64, no padding).
 *
 * @example
 * const stored = await hashPassword("milonga-2026");
 * await verifyPassword("milonga-2026", stored); // true
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_LENGTH));
  const key = await derive(password, salt, PARAMS, KEY_LENGTH);
  return `$scrypt$ln=${PARAMS.ln},r=${PARAMS.r},p=${PARAMS.p}$${b64(salt)}$${b64(key)}`;
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

/** True when a stored hash is bcrypt or weaker scrypt than today's: rehash it after a login. */
export function needsRehash(stored: string): boolean {
  const match = SCRYPT_HASH.exec(stored);
  if (!match) return true;
  const [, ln, r, p] = match;
  return Number(ln) !== PARAMS.ln || Number(r) !== PARAMS.r || Number(p) !== PARAMS.p;
}

/**
 * A well-formed hash of no password anyone knows: verified against when the account does not
 * exist, so a login for an unknown user costs the same time as one with a wrong password.
 */
export const DUMMY_HASH = "$scrypt$ln=14,r=8,p=5$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
