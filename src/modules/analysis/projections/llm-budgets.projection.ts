import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { LlmBudgetEvent } from '@modules/analysis/domain/llm-budget/llm-budget.decider';

type D<T extends LlmBudgetEvent['type']> = Extract<LlmBudgetEvent, { type: T }>['data'];

export interface LlmBudgetRow extends Record<string, unknown> {
  workspace_id: string;
  /** numeric(14,4): PostgreSQL hands it back as text. null: the budget was removed. */
  monthly_limit_usd: number | string | null;
  /** The stream's version: the budget's ETag. */
  stream_version: number;
  updated_by: string | null;
  created_at: string;
  updated_at: string;
}

/** analysis_llm_budgets_view: the current limit of each workspace that ever set one (null once removed). Inline: a PUT reads its own write. */
export class LlmBudgetsProjection extends RowProjection<LlmBudgetRow> {
  readonly name = 'analysis.llm-budgets';
  readonly table = 'analysis_llm_budgets_view';
  override readonly keyColumn = 'workspace_id';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { workspaceId: string }).workspaceId;
  }

  readonly handlers: Record<string, RowHandler<LlmBudgetRow>> = {
    'analysis.llm-budget-set': (r, e) => {
      const d = e.data as D<'analysis.llm-budget-set'>;
      return { workspace_id: d.workspaceId, monthly_limit_usd: d.monthlyLimitUsd, stream_version: e.streamVersion, updated_by: e.actorId, created_at: r?.created_at ?? d.at, updated_at: d.at };
    },
    // No limit, but the row stays: its version is what the next If-Match names.
    'analysis.llm-budget-removed': (r, e) => {
      const d = e.data as D<'analysis.llm-budget-removed'>;
      return { workspace_id: d.workspaceId, monthly_limit_usd: null, stream_version: e.streamVersion, updated_by: e.actorId, created_at: r?.created_at ?? d.at, updated_at: d.at };
    },
  };
}
