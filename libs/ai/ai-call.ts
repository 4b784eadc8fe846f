/**
 * Who a model call is for and why: every call is metered into llm_usage_logs under this
 * (workspace, workflow, node), so costs can be reported per workspace, workflow and model.
 */
export interface AiCallContext {
  /** null for calls on no workspace's behalf (a provider check by an admin). */
  workspaceId: string | null;
  /** The workflow, e.g. `knowledge.embed-chunks`, `knowledge.ask`. */
  workflow: string;
  /** The step inside it, e.g. `embed`, `answer`. */
  node: string;
  /**
   * The person the call is made for, when the caller knows one (Ask knows its asker; a
   * background consumer does not): usage per user per day is reported from it.
   */
  userId?: string | null;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export type AiErrorKind = 'timeout' | 'rate_limited' | 'server' | 'bad_request' | 'auth' | 'network' | 'invalid_output' | 'unsupported';

/** A model call that failed; `retryable` says whether trying again later can help. */
export class AiProviderError extends Error {
  constructor(
    readonly kind: AiErrorKind,
    message: string,
    readonly details: { status?: number; provider?: string; model?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'AiProviderError';
  }

  get retryable(): boolean {
    return this.kind === 'timeout' || this.kind === 'rate_limited' || this.kind === 'server' || this.kind === 'network';
  }
}
