import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { AiCallContext, TokenUsage } from '@libs/ai/ai-call';
import { PriceTable } from './price-table';

export interface LlmUsage {
  ctx: AiCallContext;
  provider: string;
  model: string;
  operation: 'chat' | 'embedding';
  status: 'ok' | 'error';
  /** AiProviderError kind, or `unexpected`, when status is error. */
  errorKind?: string | null;
  usage: TokenUsage;
  latencyMs: number;
}

/** The part of pg's Pool the meter uses. */
export interface SqlExecutor {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

const NAME_LIMIT = 255;

/**
 * Writes one llm_usage_logs row per model call, with its cost from the price table.
 *
 * The model call never waits for its row, and a failed insert is logged (warn), never thrown:
 * metering must not fail or slow a call, and a caller may hold the pool's only connection in a
 * transaction (embedded mode) while it calls a model. Tests and shutdown wait with `flush()`.
 */
export class LlmUsageMeter implements BeforeApplicationShutdown {
  private readonly logger = new Logger('LlmUsageMeter');
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly sql: SqlExecutor,
    private readonly prices: PriceTable,
  ) {}

  /** Starts the insert; the promise settles when the row is written or the failure logged (never rejects). */
  record(u: LlmUsage): Promise<void> {
    const cost = this.prices.costOf(u.model, u.usage);
    const write = this.sql
      .query(
        `INSERT INTO llm_usage_logs (workspace_id, workflow_name, node_name, provider, model, operation, status, error_kind,
                                     prompt_tokens, completion_tokens, total_tokens, latency_ms, cost, user_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [
          u.ctx.workspaceId,
          u.ctx.workflow.slice(0, NAME_LIMIT),
          u.ctx.node.slice(0, NAME_LIMIT),
          u.provider.slice(0, NAME_LIMIT),
          u.model.slice(0, NAME_LIMIT),
          u.operation,
          u.status,
          u.status === 'error' ? (u.errorKind ?? 'unexpected') : null,
          u.usage.promptTokens,
          u.usage.completionTokens,
          u.usage.totalTokens,
          Math.max(0, Math.round(u.latencyMs)),
          cost,
          u.ctx.userId ?? null,
        ],
      )
      .then(
        () => undefined,
        (err: Error) => this.logger.warn(`could not record usage of ${u.model} for ${u.ctx.workflow}/${u.ctx.node}: ${err.message}`),
      );
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
    return write;
  }

  /**
   * Waits for the rows recorded before this call, not for those recorded meanwhile: a reader
   * that must see the calls it knows of (a budget check after a batch) never waits on a busy
   * process's endless stream of new rows.
   */
  async recorded(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Waits for every row recorded so far. */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}
