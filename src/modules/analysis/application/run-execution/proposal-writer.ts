import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { applyRowProjection } from '@libs/eventsourcing/projections/row-projection';
import { inTransaction } from '@libs/eventsourcing/subscriptions/transaction';
import { uuidV5 } from '@libs/common/ids/uuid-v5';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { ProposedTask } from '@modules/analysis/domain/analysis-run/run-batch.events';
import { applyPriorityRules, classifyProject } from '@modules/analysis/domain/task-proposal/project-classification';
import { decideSimilarity } from '@modules/analysis/domain/task-proposal/proposal-similarity';
import { ProposalCreatedData } from '@modules/analysis/domain/task-proposal/task-proposal.events';
import { AnalysisRunsAggregates, taskProposalAggregate } from '@modules/analysis/infrastructure/analysis-runs.aggregates';
import { TaskProposalsProjection } from '@modules/analysis/projections/task-proposals.projection';
import { AnalysisRunsQueries } from '@modules/analysis/infrastructure/analysis-runs.queries';
import type { WindowMessage } from '@modules/ingestion/contracts';
import { RunConfigSnapshot } from './run-config-snapshot';

/** Namespace of proposal ids (v5 of the workspace and the sorted source message ids). */
const PROPOSAL_NAMESPACE = '3b7e0f0a-6a55-4c55-9a8c-2d7c1f5e9b41';

export const proposalIdOf = (workspaceId: string, messageIds: readonly string[]) => uuidV5(`${workspaceId}|${[...messageIds].sort().join(',')}`, PROPOSAL_NAMESPACE);

export interface StoredProposals {
  created: number;
  linkedToProposals: number;
  linkedToTasks: number;
}

/**
 * Turns a batch's recorded tasks into proposals: classified to a project (its priority rules
 * applied), compared with existing proposals and open tasks so a re-run never adds a duplicate.
 * Idempotent: running it again for the same batch and run appends nothing new.
 */
@Injectable()
export class ProposalWriter {
  private readonly projection = new TaskProposalsProjection();

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly events: PostgresEventStore,
    private readonly aggregates: AnalysisRunsAggregates,
    private readonly queries: AnalysisRunsQueries,
  ) {}

  async store(runId: string, workspaceId: string, snapshot: RunConfigSnapshot, tasks: ProposedTask[], messages: readonly WindowMessage[], meta: CommandMetadata, at: string): Promise<StoredProposals> {
    const out: StoredProposals = { created: 0, linkedToProposals: 0, linkedToTasks: 0 };
    if (tasks.length === 0) return out;
    const byId = new Map(messages.map((m) => [m.id, m]));
    // One look-up per batch: the open tasks, and every proposal resting on a message of these tasks.
    const [openTasks, sharing] = await Promise.all([
      this.queries.openTasks(workspaceId),
      this.queries.proposalsSharingMessages(workspaceId, [...new Set(tasks.flatMap((t) => t.sources.map((s) => s.messageId)))]),
    ]);
    // Appends of the run's own bookkeeping: never the caller's key or version.
    const write: CommandMetadata = { ...meta, idempotencyKey: undefined, expectedVersion: undefined };
    const fresh: ProposalCreatedData[] = [];
    for (const task of tasks) {
      const messageIds = [...new Set(task.sources.map((s) => s.messageId))].sort();
      const proposalId = proposalIdOf(workspaceId, messageIds);
      const same = sharing.find((p) => p.id === proposalId);
      const decision = same ? ({ kind: 'link-proposal', proposalId, overlap: 1 } as const) : decideSimilarity({ title: task.title, messageIds }, sharing, openTasks);
      const sources = task.sources.map((s) => ({ messageId: s.messageId, sourceId: byId.get(s.messageId)?.sourceId ?? null, sentAt: byId.get(s.messageId)?.sentAt ?? null, quote: s.quote }));

      if (decision.kind === 'link-task') {
        await this.aggregates.task.handle(decision.taskId, { kind: 'link-messages', messages: sources.map((s) => ({ messageId: s.messageId, sourceId: s.sourceId, quote: s.quote })), proposalId: null, runId, at }, write);
        out.linkedToTasks++;
        continue;
      }
      const data = this.proposalData(proposalId, runId, snapshot, task, sources, at);
      if (decision.kind === 'link-proposal') {
        // A proposal of this very batch found twice is one proposal; an older one records this run.
        if (fresh.some((f) => f.proposalId === decision.proposalId)) continue;
        await this.aggregates.proposal.handle(decision.proposalId, { kind: 'create', ...data, proposalId: decision.proposalId }, write);
        out.linkedToProposals++;
        continue;
      }
      const similarTitle = decision.similarTaskId ? openTasks.find((t) => t.id === decision.similarTaskId)?.title : undefined;
      fresh.push({
        ...data,
        similarityType: decision.similarityType,
        similarityScore: decision.score,
        similarityMethod: decision.similarityType === 'exact_messages' ? 'messages' : decision.similarityType === 'semantic' ? 'title' : null,
        similarTaskId: decision.similarTaskId,
        recommendation: decision.similarTaskId ? 'update_existing' : task.recommendation,
        diffSummary: decision.similarTaskId ? { task: decision.similarTaskId, title: { existing: similarTitle ?? null, proposed: task.title } } : null,
      });
      // Later tasks of this batch on the same messages link to it instead of adding one.
      sharing.push({ id: proposalId, messageIds, status: 'pending', taskId: null });
    }
    out.created += await this.createAll(workspaceId, fresh, write);
    return out;
  }

  /**
   * New proposals of a batch in ONE statement (a stream each), with their read model in the same
   * transaction. A stream that exists by now (another delivery of the batch) is left as it is.
   */
  private async createAll(workspaceId: string, proposals: ProposalCreatedData[], meta: CommandMetadata): Promise<number> {
    if (proposals.length === 0) return 0;
    const streams = proposals.map((data) => ({ streamId: taskProposalAggregate.streamId(data.proposalId), events: [{ type: 'analysis.task-proposal-created', data }] }));
    const written = await inTransaction(this.pool, async (tx) => {
      const res = await this.events.appendNewStreams(streams, {
        streamType: taskProposalAggregate.streamType,
        workspaceId,
        actorId: meta.actorId,
        correlationId: meta.correlationId,
        causationId: meta.commandId,
        client: tx,
      });
      await applyRowProjection(this.projection, res.events, tx);
      return res.created.length;
    });
    this.events.notifyAppended();
    return written;
  }

  private proposalData(proposalId: string, runId: string, snapshot: RunConfigSnapshot, task: ProposedTask, sources: ProposalCreatedData['sources'], at: string): ProposalCreatedData {
    const text = [task.title, task.description, ...sources.map((s) => s.quote)].join('\n');
    const classification = classifyProject(text, snapshot.projects);
    const project = snapshot.projects.find((p) => p.id === classification.projectId);
    const ruled = project ? applyPriorityRules(text, task.priority, project.priorityRules) : { priority: task.priority, rule: null };
    const times = sources.map((s) => (s.sentAt ? Date.parse(s.sentAt) : NaN)).filter((t) => !Number.isNaN(t));
    return {
      proposalId,
      runId,
      title: task.title,
      description: task.description,
      sources,
      messageCount: sources.length,
      timeSpanSeconds: times.length ? Math.round((Math.max(...times) - Math.min(...times)) / 1000) : 0,
      confidence: task.confidence,
      reasoning: ruled.rule ? `${task.reasoning}${task.reasoning ? '; ' : ''}priority rule ${ruled.rule}` : task.reasoning,
      priority: ruled.priority,
      category: task.category,
      recommendation: task.recommendation,
      similarityType: 'none',
      similarityScore: null,
      similarityMethod: null,
      similarTaskId: null,
      proposedParentId: null,
      tags: task.tags,
      subTasks: task.subTasks,
      diffSummary: null,
      projectId: classification.projectId,
      projectClassificationConfidence: classification.confidence,
      projectKeywordsMatched: classification.keywordsMatched,
      ownerId: task.ownerId,
      dueDate: task.dueDate,
      at,
    };
  }
}
