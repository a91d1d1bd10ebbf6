import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { dataDir } from "./database";

const SECRETS = ["JWT_SECRET", "ENCRYPTION_KEY"] as const;

/**
 * The Worker's secrets for local development: taken from the environment when set, else
 * random values made once and kept in DATA_DIR, so logins and 2FA survive restarts.
 */
export function devSecrets(): Record<(typeof SECRETS)[number], string> {
  const file = join(dataDir(), "dev-secrets.json");
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : {};
  let changed = false;
  for (const name of SECRETS) {
    if (!stored[name]) {
      stored[name] = randomBytes(32).toString("base64url");
      changed = true;
    }
  }
  if (changed) writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  return Object.fromEntries(SECRETS.map((name) => [name, process.env[name] ?? stored[name]!])) as Record<
    (typeof SECRETS)[number],
    string
  >;
}
