import { base64Decode, base64Encode, base64UrlEncode, utf8 } from "./encoding";

/**
 * A random opaque token (refresh tokens, email links): 32 bytes, base64url.
 *
 * @example
 * const token = randomToken(); // "3q2-7wR...": give it out, store only sha256Hex(token)
 */
export function randomToken(bytes = 32): string {
  return base64UrlEncode(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** SHA-256 of a string, hex: how tokens are stored, so a database leak gives nothing usable. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const keys = new Map<string, Promise<CryptoKey>>();

/** A key derived from a secret and a purpose (HKDF-SHA-256), so one secret serves many uses. */
function derivedKey(
  secret: string,
  purpose: string,
  algorithm: { name: "AES-GCM"; length: number } | { name: "HMAC"; hash: string; length: number },
  usages: ("encrypt" | "decrypt" | "sign")[],
): Promise<CryptoKey> {
  const id = `${algorithm.name}\u0000${purpose}\u0000${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", utf8.encode(secret), "HKDF", false, ["deriveKey"])
      .then((material) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: utf8.encode(purpose) },
          material,
          algorithm,
          false,
          usages,
        ),
      );
    keys.set(id, key);
  }
  return key;
}

const aesKey = (secret: string, purpose: string) =>
  derivedKey(secret, purpose, { name: "AES-GCM", length: 256 }, ["encrypt", "decrypt"]);

/**
 * HMAC-SHA-256 of a string, hex, under a key derived from `secret` for `purpose`: how short
 * secrets (backup codes) are stored, so a database dump alone cannot brute-force them.
 *
 * @example
 * const stored = await hmacHex(env.ENCRYPTION_KEY, "backup-code", "abcdefghjk");
 */
export async function hmacHex(secret: string, purpose: string, text: string): Promise<string> {
  const key = await derivedKey(secret, purpose, { name: "HMAC", hash: "SHA-256", length: 256 }, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(text)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * `count` characters drawn uniformly from `alphabet` (at most 256 characters): random bytes at
 * or above the largest multiple of its length are thrown away rather than folded in with a
 * modulo, which would make the first characters likelier.
 */
export function randomChars(alphabet: string, count: number, random: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  if (alphabet.length < 1 || alphabet.length > 256) throw new RangeError("alphabet must have 1 to 256 characters");
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < count) {
    for (const byte of random(new Uint8Array(count))) {
      if (byte < limit && out.length < count) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

/**
 * Encrypts a small secret for storage (AES-256-GCM, random IV): `v1.<iv>.<ciphertext>`.
 *
 * @example
 * const stored = await encryptSecret(env.ENCRYPTION_KEY, "totp", base32Secret);
 * await decryptSecret(env.ENCRYPTION_KEY, "totp", stored); // base32Secret
 */
export async function encryptSecret(secret: string, purpose: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await aesKey(secret, purpose), utf8.encode(plaintext));
  return `v1.${base64Encode(iv)}.${base64Encode(new Uint8Array(sealed))}`;
}

export async function decryptSecret(secret: string, purpose: string, stored: string): Promise<string> {
  const [version, iv, sealed] = stored.split(".");
  if (version !== "v1" || !iv || !sealed) throw new Error("unknown encrypted secret format");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: base64Decode(iv) },
    await aesKey(secret, purpose),
    base64Decode(sealed),
  );
  return utf8.decode(new Uint8Array(plain));
}
