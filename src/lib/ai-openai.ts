import { type AiChatRequest, type AiProvider, AiProviderError, type AiStreamEvent } from "./ai";

export interface OpenAiCompatibleOptions {
  /** The API's base URL; `/chat/completions` is appended. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
  /** For tests: the fetch to call (default: the global one). */
  fetch?: typeof fetch;
}

/** Any OpenAI-compatible chat-completions endpoint, streamed (server-sent events), with tool calls. */
export class OpenAiCompatibleProvider implements AiProvider {
  readonly name = "openai";
  readonly model: string;

  constructor(private readonly options: OpenAiCompatibleOptions) {
    this.model = options.model;
  }

  // eslint-disable-next-line require-yield, @typescript-eslint/require-await
  async *chat(_request: AiChatRequest): AsyncIterable<AiStreamEvent> {
    throw new AiProviderError("OpenAI-compatible provider: being built (issue 15)", "unavailable");
  }
}
