import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { applyRowProjection } from '@libs/eventsourcing/projections/row-projection';
import { inTransaction } from '@libs/eventsourcing/subscriptions/transaction';
import { AnalysisModels, LlmBudgets } from '@modules/analysis/application/analysis-models';
import { RunAccuracy } from '@modules/analysis/domain/analysis-run/analysis-run.events';
import { RUN_FAILURE_CODES } from '@modules/analysis/domain/analysis-run/analysis-runs.errors';
import { batchByTokenBudget, BatchableMessage, prefilterNoise } from '@modules/analysis/domain/analysis-run/message-batching';
import { runBatchDecider, RunBatchState } from '@modules/analysis/domain/analysis-run/run-batch.decider';
import { RunBatchEvent, runBatchStreamKey } from '@modules/analysis/domain/analysis-run/run-batch.events';
import { AnalysisRunsAggregates, runBatchAggregate } from '@modules/analysis/infrastructure/analysis-runs.aggregates';
import { AnalysisRunsQueries } from '@modules/analysis/infrastructure/analysis-runs.queries';
import { RunBatchesProjection } from '@modules/analysis/projections/run-batches.projection';
import { MessageWindow, MessageWindowPosition } from '@modules/ingestion/contracts';
import { BatchAgent, BatchAgentOutcome } from './batch-agent';
import { knownPeople } from './known-people';
import { ProposalWriter } from './proposal-writer';
import { estimateMessageTokens, RunConfigSnapshot } from './run-config-snapshot';

const PLAN_PAGE = 5000;

/** What reviewers made of a run's proposals (accuracy_metrics). */
export function accuracyOf(outcomes: { status: string; edited: boolean; confidence: number }[]): RunAccuracy {
  const reviewed = outcomes.filter((o) => o.status !== 'pending');
  const kept = reviewed.filter((o) => o.status === 'approved' || o.status === 'merged');
  const rejected = reviewed.filter((o) => o.status === 'rejected');
  const avg = (xs: { confidence: number }[]) => (xs.length ? Math.round((xs.reduce((n, x) => n + x.confidence, 0) / xs.length) * 1000) / 1000 : null);
  return {
    reviewed: reviewed.length,
    approved: reviewed.filter((o) => o.status === 'approved').length,
    merged: reviewed.filter((o) => o.status === 'merged').length,
    rejected: rejected.length,
    edited: reviewed.filter((o) => o.edited).length,
    precision: reviewed.length ? Math.round((kept.length / reviewed.length) * 1000) / 1000 : null,
    avgConfidenceKept: avg(kept),
    avgConfidenceRejected: avg(rejected),
  };
}

/**
 * The steps the run saga sends: plan the run, process one batch, complete the run. Each is
 * safe to run again with the same input (a redelivered command): planning reuses a plan already
 * written, a batch with a recorded result is never sent to the model again, completing twice
 * appends nothing.
 */
@Injectable()
export class RunSteps implements OnModuleDestroy {
  private readonly logger = new Logger('AnalysisRunSteps');
  /** Set when the app shuts down: a batch in flight is abandoned unrecorded, and the next process does it again. */
  private stopping = false;
  private readonly batchesProjection = new RunBatchesProjection();

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly aggregates: AnalysisRunsAggregates,
    private readonly queries: AnalysisRunsQueries,
    private readonly window: MessageWindow,
    private readonly models: AnalysisModels,
    private readonly agent: BatchAgent,
    private readonly proposals: ProposalWriter,
    @Optional() private readonly budgets?: LlmBudgets,
  ) {}

  onModuleDestroy(): void {
    this.stopping = true;
  }

  // ---- plan -----------------------------------------------------------------------------

  async plan(runId: string, meta: CommandMetadata): Promise<{ batchesTotal: number } | { skipped: string }> {
    const run = await this.queries.runById(runId);
    if (!run || run.status !== 'pending') return { skipped: run?.status ?? 'missing' };
    const snapshot = run.config_snapshot as unknown as RunConfigSnapshot;
    const write = internal(meta, run.workspace_id);
    const query = { workspaceId: run.workspace_id, from: new Date(run.time_window_start).toISOString(), to: new Date(run.time_window_end).toISOString(), sourceIds: run.source_ids, channels: run.channels };
    const all: (BatchableMessage & { id: string })[] = [];
    let after: MessageWindowPosition | null = null;
    do {
      const page = await this.window.page(query, after, PLAN_PAGE, { includeContent: false });
      for (const m of page.items) all.push({ id: m.id, threadId: m.threadId ?? m.conversationId, noiseClassification: m.noiseClassification, tokens: estimateMessageTokens(m.contentChars) });
      after = page.next;
    } while (after);
    const { kept, droppedByLabel } = prefilterNoise(all);
    // A plan written before a crash is the plan: the window may have gained messages since.
    let batchesTotal = await this.queries.batchCount(runId);
    if (batchesTotal === 0) {
      const planned = batchByTokenBudget(kept, snapshot.batching.tokenBudget, snapshot.batching.maxMessagesPerBatch);
      batchesTotal = planned.length;
      if (planned.length) {
        const streams = planned.map((b, batchIndex) => ({
          streamId: runBatchAggregate.streamId(runBatchStreamKey(runId, batchIndex)),
          events: [{ type: 'analysis.run-batch-planned', data: { runId, batchIndex, messageIds: b.messageIds, estimatedTokens: b.estimatedTokens } }],
        }));
        // One statement for every batch stream, with the batches read model in the same transaction.
        await inTransaction(this.pool, async (tx) => {
          const written = await this.store.appendNewStreams(streams, { streamType: runBatchAggregate.streamType, workspaceId: run.workspace_id, actorId: write.actorId, correlationId: write.correlationId, causationId: write.commandId, client: tx });
          await applyRowProjection(this.batchesProjection, written.events, tx);
        });
        this.store.notifyAppended();
      }
    }
    await this.aggregates.run.handle(runId, { kind: 'start', totalMessagesInWindow: all.length, messagesAfterPrefilter: kept.length, prefilteredOut: droppedByLabel, batchesTotal, at: write.now.toISOString() }, write);
    return { batchesTotal };
  }

  // ---- one batch ------------------------------------------------------------------------

  async processBatch(runId: string, batchIndex: number, meta: CommandMetadata): Promise<Record<string, unknown>> {
    const run = await this.queries.runById(runId);
    if (!run || run.status !== 'running') return { skipped: run?.status ?? 'missing' };
    const snapshot = run.config_snapshot as unknown as RunConfigSnapshot;
    const write = internal(meta, run.workspace_id);
    let batch = await this.loadBatch(runId, batchIndex);
    if (batch.status === 'none') return { skipped: 'not planned' };
    const messages = await this.window.byIds(run.workspace_id, batch.messageIds);

    if (batch.status === 'planned') {
      // Checked before each batch: an exceeded budget stops the run, nothing more is spent.
      if (this.budgets && snapshot.engine === 'llm') {
        const budget = await this.budgets.status(run.workspace_id, write.now);
        if (budget.exceeded) {
          await this.aggregates.run.handle(runId, { kind: 'fail', error: { code: RUN_FAILURE_CODES.budgetExceeded, message: `The workspace's LLM budget of ${budget.limitUsd} USD is spent (${budget.spentUsd} USD since ${budget.periodStart})` }, at: write.now.toISOString() }, write);
          return { failed: RUN_FAILURE_CODES.budgetExceeded };
        }
      }
      const outcome = await this.callAgent(run.workspace_id, runId, snapshot, messages, write);
      if (outcome === null) return { failed: RUN_FAILURE_CODES.modelUnavailable };
      // A failure caused by the shutdown (a cut connection, an abandoned retry) is not the batch's result.
      if (this.stopping) throw new Error('The app is shutting down: the batch is left for the next process');
      const at = new Date().toISOString();
      try {
        await this.aggregates.batch.handle(
          runBatchStreamKey(runId, batchIndex),
          outcome.kind === 'completed' ? { kind: 'complete', tasks: outcome.tasks, dropped: outcome.dropped, usage: outcome.usage, at } : { kind: 'fail', error: outcome.error, usage: outcome.usage, at },
          write,
        );
        // Recorded as given: no need to read the (large) result back.
        batch = outcome.kind === 'completed' ? { ...batch, status: 'completed', tasks: outcome.tasks } : { ...batch, status: 'failed' };
      } catch (err) {
        // Another delivery recorded it first: its result is the batch's result.
        this.logger.warn({ runId, batchIndex, err: (err as Error).message }, 'batch result already recorded');
        batch = await this.loadBatch(runId, batchIndex);
      }
    }
    if (batch.status === 'completed') {
      const stored = await this.proposals.store(runId, run.workspace_id, snapshot, batch.tasks, messages, write, new Date().toISOString());
      return { batchIndex, status: 'completed', ...stored };
    }
    return { batchIndex, status: batch.status };
  }

  private async callAgent(workspaceId: string, runId: string, snapshot: RunConfigSnapshot, messages: Awaited<ReturnType<MessageWindow['byIds']>>, write: CommandMetadata): Promise<BatchAgentOutcome | null> {
    const members = knownPeople(await this.queries.members(workspaceId), messages);
    const input = { workspaceId, messages, members, snapshot, isStopping: () => this.stopping };
    if (snapshot.engine === 'builtin') return this.agent.builtin(input);
    const { provider, agent } = snapshot.assignment;
    const model = await this.models.model(workspaceId, provider.id, agent.modelName);
    if (!model) {
      await this.aggregates.run.handle(runId, { kind: 'fail', error: { code: RUN_FAILURE_CODES.modelUnavailable, message: `The provider ${provider.name} is no longer available to this workspace` }, at: write.now.toISOString() }, write);
      return null;
    }
    return model.builtin ? this.agent.builtin(input) : this.agent.llm(model.client, input);
  }

  private async loadBatch(runId: string, batchIndex: number): Promise<RunBatchState> {
    const { events } = await this.store.readStream(runBatchAggregate.streamId(runBatchStreamKey(runId, batchIndex)));
    return events.reduce((s, e) => runBatchDecider.evolve(s, { type: e.type, data: e.data } as RunBatchEvent), runBatchDecider.initialState());
  }

  // ---- complete -------------------------------------------------------------------------

  async complete(runId: string, meta: CommandMetadata): Promise<Record<string, unknown>> {
    const run = await this.queries.runById(runId);
    if (!run || run.status !== 'running') return { skipped: run?.status ?? 'missing' };
    const write = internal(meta, run.workspace_id);
    const at = write.now.toISOString();
    const counters = (await this.queries.counters([runId])).get(runId)!;
    if (run.batches_created > 0 && counters.batchesFailed === run.batches_created) {
      const failures = await this.queries.batchFailures(runId);
      const codes = [...new Set(failures.map((f) => f.code))].join(', ');
      await this.aggregates.run.handle(runId, { kind: 'fail', error: { code: RUN_FAILURE_CODES.allBatchesFailed, message: `Every batch failed (${codes}); see error_log` }, at }, write);
      return { status: 'failed' };
    }
    const pending = await this.queries.pendingProposals(runId);
    const accuracy = accuracyOf(await this.queries.reviewOutcomes(runId));
    await this.aggregates.run.handle(runId, { kind: 'complete', pendingProposals: pending, accuracy, at }, write);
    return { status: pending > 0 ? 'completed' : 'reviewed' };
  }
}

/** The saga's metadata for the run's own appends: its command id is the causation, no key is replayed onto other streams. */
function internal(meta: CommandMetadata, workspaceId: string): CommandMetadata & { now: Date } {
  return { ...meta, workspaceId, idempotencyKey: undefined, expectedVersion: undefined, now: meta.now ?? new Date() };
}
