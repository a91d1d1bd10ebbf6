import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../lib/context";
import { sha256Hex } from "../../lib/crypto";
import { utf8 } from "../../lib/encoding";
import { AppError } from "../../lib/errors";

/** How far a signed timestamp may be from the Worker's clock, past or future. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export const TIMESTAMP_HEADER = "x-mundo-timestamp";
export const SIGNATURE_HEADER = "x-mundo-signature";

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

const invalidSignature = () =>
  new AppError(401, "invalid_signature", "The webhook signature is missing or does not match.");

const keys = new Map<string, Promise<CryptoKey>>();

/** The HMAC-SHA256 key of the shared secret, imported once per isolate. */
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    keys.set(secret, key);
  }
  return key;
}

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/**
 * Checks a webhook delivery against the shared secret: the signature is the HMAC-SHA256 of
 * `<timestamp>.<raw body>`, compared by `crypto.subtle.verify` (constant time), and only then is
 * the timestamp's age looked at, so a `stale_webhook` answer is given to CI alone (its clock or
 * its queue is late). Nothing of the body is parsed before this passes.
 */
export async function verifyWebhookSignature(input: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
  now: Date;
}): Promise<void> {
  const match = SIGNATURE.exec(input.signature ?? "");
  if (!match || input.timestamp === undefined || !/^[0-9]{1,12}$/.test(input.timestamp)) throw invalidSignature();
  const signed = utf8.encode(`${input.timestamp}.${input.body}`);
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(input.secret), hexBytes(match[1]!), signed);
  if (!valid) throw invalidSignature();
  if (Math.abs(input.now.getTime() / 1000 - Number(input.timestamp)) > WEBHOOK_TOLERANCE_SECONDS) {
    throw new AppError(401, "stale_webhook", `The webhook timestamp is more than ${WEBHOOK_TOLERANCE_SECONDS} seconds from now.`);
  }
}

/**
 * What a delivery is remembered by, to refuse its replay: the SHA-256 of its signature (case
 * folded, so the same signature in capitals is the same delivery).
 */
export function deliveryKey(signature: string): Promise<string> {
  return sha256Hex(signature.toLowerCase());
}

/**
 * The webhook route's gate, before its body is validated: 503 `webhook_not_configured` without
 * a secret, else the raw body is read (the app's body limit applies) and its signature checked
 * (see {@link verifyWebhookSignature}).
 */
export const verifiedWebhook = createMiddleware<AppEnv>(async (c, next) => {
  const { config, now } = c.var.ctx;
  const secret = config.DEPLOY_WEBHOOK_SECRET;
  if (!secret) throw new AppError(503, "webhook_not_configured", "Deployment webhooks are not configured on this server.");
  await verifyWebhookSignature({
    secret,
    timestamp: c.req.header(TIMESTAMP_HEADER),
    signature: c.req.header(SIGNATURE_HEADER),
    body: await c.req.text(),
    now,
  });
  await next();
});
