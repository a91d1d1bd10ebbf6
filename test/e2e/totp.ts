/** TOTP codes as an authenticator app makes them, from the secret the setup route gave. */
import { totpCode } from "../../src/modules/auth/auth.totp";

/**
 * The code of the step `offset` steps from now. The API accepts one step of drift either way
 * and never the same step twice, so the step after the one `enable` used is `offset` 1.
 */
export function totpAt(secret: string, offset = 0): Promise<string> {
  return totpCode(secret, Math.floor(Date.now() / 30_000) + offset);
}
