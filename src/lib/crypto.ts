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

/** An AES-GCM key derived from a secret and a purpose (HKDF), so one secret serves many uses. */
function aesKey(secret: string, purpose: string): Promise<CryptoKey> {
  const id = `${purpose}\u0000${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", utf8.encode(secret), "HKDF", false, ["deriveKey"])
      .then((material) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: utf8.encode(purpose) },
          material,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
    keys.set(id, key);
  }
  return key;
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
