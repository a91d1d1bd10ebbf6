import { type Config, ConfigError } from "./env";
import type { Logger } from "./logger";

export interface EmailMessage {
  to: string;
  from: string;
  subject: string;
  text: string;
  html?: string;
  /**
   * Sent as `Idempotency-Key`: a retry of one queued message carries the same key, so an
   * API that accepted the first try (but whose answer was lost) does not deliver it twice.
   */
  idempotencyKey?: string;
}

/** Delivers one email; throws {@link EmailSendError} (or any error) when it could not. */
export interface EmailSender {
  send(message: EmailMessage): Promise<void>;
}

/**
 * What a failed send means for the queue:
 * - `rejected`: the API refused this message (400, 422); retrying it cannot help;
 * - `unauthorized`: the API refused our key or URL (401, 403, 404); every message would fail
 *   the same way, so the run stops without spending attempts;
 * - `unavailable`: rate limited (429) or the provider is failing (5xx); `retryAfterSeconds`
 *   when it said how long to wait;
 * - `transient`: anything else (a timeout, a reset connection, another 4xx): retried later.
 */
export type EmailFailureKind = "rejected" | "unauthorized" | "unavailable" | "transient";

/** A send that failed, with what the queue should do about it ({@link EmailFailureKind}). */
export class EmailSendError extends Error {
  constructor(
    message: string,
    readonly kind: EmailFailureKind = "transient",
    readonly status?: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "EmailSendError";
  }

  /** Retrying the same message cannot help. */
  get permanent(): boolean {
    return this.kind === "rejected";
  }
}

/** How an HTTP status from the email API is handled. */
export function classifyStatus(status: number): EmailFailureKind {
  if (status === 400 || status === 422) return "rejected";
  if (status === 401 || status === 403 || status === 404) return "unauthorized";
  if (status === 429 || status >= 500) return "unavailable";
  return "transient";
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date), if present and sensible. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

const EMAIL_LIKE = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+/g;

/** Replaces email-like strings: an API's error reply may echo the recipient's address. */
export function redactEmails(text: string): string {
  return text.replace(EMAIL_LIKE, "[email]");
}

/**
 * POSTs `{from, to, subject, text, html}` with a Bearer key and an `Idempotency-Key` to an
 * HTTP email API (Resend's shape). Any non-2xx is an {@link EmailSendError} carrying the
 * status, its {@link EmailFailureKind}, `Retry-After` and the start of the reply, with
 * email addresses redacted.
 *
 * @example
 * await new HttpEmailSender({ url: "https://api.resend.com/emails", apiKey }).send(message);
 */
export class HttpEmailSender implements EmailSender {
  constructor(
    private readonly options: {
      url: string;
      apiKey: string;
      /** Injected in tests; the runtime's fetch otherwise. */
      fetch?: typeof fetch;
      timeoutMs?: number;
    },
  ) {}

  async send(message: EmailMessage): Promise<void> {
    const doFetch = this.options.fetch ?? fetch;
    const response = await doFetch(this.options.url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${this.options.apiKey}`,
        "content-type": "application/json",
        ...(message.idempotencyKey ? { "idempotency-key": message.idempotencyKey } : {}),
      },
      body: JSON.stringify({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html ? { html: message.html } : {}),
      }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    const excerpt = redactEmails((await response.text().catch(() => "")).replace(/\s+/g, " ").slice(0, 200));
    throw new EmailSendError(
      `email API answered ${response.status}: ${excerpt}`,
      classifyStatus(response.status),
      response.status,
      parseRetryAfter(response.headers.get("retry-after")),
    );
  }
}

/** Development and tests: logs each message (text body included: links must be clickable). */
export class LogEmailSender implements EmailSender {
  constructor(private readonly logger: Logger) {}

  send(message: EmailMessage): Promise<void> {
    this.logger.info("email (not sent: EMAIL_API_URL is empty)", {
      to: message.to,
      subject: message.subject,
      text: message.text,
    });
    return Promise.resolve();
  }
}

/**
 * The sender the configuration asks for: the HTTP API when `EMAIL_API_URL` is set, else
 * the log. Production without an API fails loudly instead: logging would put password
 * reset links in the logs, and marking mail sent that never left would lose it.
 */
export function createEmailSender(
  config: Pick<Config, "APP_ENV" | "EMAIL_API_URL" | "EMAIL_API_KEY">,
  logger: Logger,
): EmailSender {
  if (config.EMAIL_API_URL) {
    if (!config.EMAIL_API_KEY) throw new ConfigError(["EMAIL_API_KEY: required when EMAIL_API_URL is set"]);
    return new HttpEmailSender({ url: config.EMAIL_API_URL, apiKey: config.EMAIL_API_KEY });
  }
  if (config.APP_ENV === "production") throw new ConfigError(["EMAIL_API_URL: required in production"]);
  return new LogEmailSender(logger);
}
