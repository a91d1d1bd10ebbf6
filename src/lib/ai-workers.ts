import { type AiChatRequest, type AiProvider, AiProviderError, type AiStreamEvent } from "./ai";

export interface WorkersAiOptions {
  binding: Ai;
  model: string;
  timeoutMs: number;
}

/** The Workers AI binding (`[ai]` in wrangler.toml), streamed, with tool calls. */
export class WorkersAiProvider implements AiProvider {
  readonly name = "workers-ai";
  readonly model: string;

  constructor(private readonly options: WorkersAiOptions) {
    this.model = options.model;
  }

  // eslint-disable-next-line require-yield, @typescript-eslint/require-await
  async *chat(_request: AiChatRequest): AsyncIterable<AiStreamEvent> {
    throw new AiProviderError("Workers AI provider: being built (issue 15)", "unavailable");
  }
}
