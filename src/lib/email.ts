import { type Config, ConfigError } from "./env";
import type { Logger } from "./logger";

export interface EmailMessage {
  to: string;
  from: string;
  subject: string;
  text: string;
  html?: string;
}

/** Delivers one email; throws {@link EmailSendError} (or any error) when it could not. */
export interface EmailSender {
  send(message: EmailMessage): Promise<void>;
}

/**
 * A send that failed. `permanent` means retrying the same message cannot help (the API
 * refused it: a bad address, a bad request), so the queue gives up at once.
 */
export class EmailSendError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = "EmailSendError";
  }
}

/** Statuses worth retrying although they are 4xx: timeouts and rate limits. */
const RETRYABLE_4XX = new Set([408, 409, 425, 429]);

/**
 * POSTs `{from, to, subject, text, html}` with a Bearer key to an HTTP email API (Resend's
 * shape). Any non-2xx is a failure carrying the status and the start of the reply.
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
      headers: { authorization: `Bearer ${this.options.apiKey}`, "content-type": "application/json" },
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
    const excerpt = (await response.text().catch(() => "")).replace(/\s+/g, " ").slice(0, 200);
    const permanent = response.status >= 400 && response.status < 500 && !RETRYABLE_4XX.has(response.status);
    throw new EmailSendError(`email API answered ${response.status}: ${excerpt}`, permanent);
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
