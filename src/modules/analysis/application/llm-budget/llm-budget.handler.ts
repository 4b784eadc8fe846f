import { Injectable } from '@nestjs/common';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { LlmBudgets } from '@modules/analysis/application/analysis-models';
import { budgetPeriodOf } from '@modules/analysis/domain/llm-budget/budget-period';
import { AnalysisUsageAggregates } from '@modules/analysis/infrastructure/analysis-usage.aggregates';
import { UsageQueries } from '@modules/analysis/infrastructure/usage.queries';
import { SetLlmBudgetRequestDto } from './llm-budget.request.dto';

/** A workspace budget as the API shows it: the limit and where this month stands. */
export interface LlmBudgetResponse {
  workspaceId: string;
  /** null: no budget. */
  monthlyLimitUsd: number | null;
  period: { start: string; end: string };
  spentUsd: number;
  /** null without a budget; never below 0. */
  remainingUsd: number | null;
  exceeded: boolean;
  /** The budget stream's version (0: never set): the ETag, what If-Match expects. */
  streamVersion: number;
  updatedBy: string | null;
  updatedAt: string | null;
}

@Injectable()
export class LlmBudgetHandler {
  constructor(
    private readonly aggregates: AnalysisUsageAggregates,
    private readonly queries: UsageQueries,
    private readonly budgets: LlmBudgets,
  ) {}

  async get(workspaceId: string, now: Date = new Date()): Promise<LlmBudgetResponse> {
    const [status, row] = await Promise.all([this.budgets.status(workspaceId, now), this.queries.budget(workspaceId)]);
    const period = budgetPeriodOf(now);
    return {
      workspaceId,
      monthlyLimitUsd: status.limitUsd,
      period: { start: period.start.toISOString(), end: period.end.toISOString() },
      spentUsd: status.spentUsd,
      remainingUsd: status.limitUsd === null ? null : Math.max(0, Math.round((status.limitUsd - status.spentUsd) * 1e10) / 1e10),
      exceeded: status.exceeded,
      streamVersion: row?.stream_version ?? 0,
      updatedBy: row?.updated_by ?? null,
      updatedAt: row ? new Date(row.updated_at).toISOString() : null,
    };
  }

  /** PUT: sets (or changes) the limit; the same limit again changes nothing. */
  async set(workspaceId: string, input: SetLlmBudgetRequestDto, meta: CommandMetadata): Promise<LlmBudgetResponse> {
    await this.aggregates.budget.handle(workspaceId, { kind: 'set', workspaceId, monthlyLimitUsd: input.monthlyLimitUsd, now: meta.now }, meta, { fingerprint: input });
    return this.get(workspaceId, meta.now);
  }

  /** DELETE: no budget any more (its history stays in the stream). */
  async remove(workspaceId: string, meta: CommandMetadata): Promise<LlmBudgetResponse> {
    await this.aggregates.budget.handle(workspaceId, { kind: 'remove', workspaceId, now: meta.now }, meta);
    return this.get(workspaceId, meta.now);
  }
}
