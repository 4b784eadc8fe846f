import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { v7 as uuidv7 } from 'uuid';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { AnalysisModels } from '@modules/analysis/application/analysis-models';
import { DEFAULT_BATCH_TOKEN_BUDGET, MAX_MESSAGES_PER_BATCH_OF, RunConfigSnapshot } from '@modules/analysis/application/run-execution/run-config-snapshot';
import { AnalysisRunsError, AnalysisRunsErrorCode } from '@modules/analysis/domain/analysis-run/analysis-runs.errors';
import { DEFAULT_TASK_THRESHOLD } from '@modules/analysis/domain/task-detection/task-detector';
import { AnalysisRunsAggregates } from '@modules/analysis/infrastructure/analysis-runs.aggregates';
import { AnalysisRunsQueries } from '@modules/analysis/infrastructure/analysis-runs.queries';
import { runResponse } from './analysis-run.response';
import { RequestAnalysisRunRequestDto } from './analysis-runs.request.dto';

const notFound = (runId: string) => new AnalysisRunsError(AnalysisRunsErrorCode.RunNotFound, 'No such analysis run', { runId });

/** Starting, reading, cancelling and closing runs; the run saga does the work in between. */
@Injectable()
export class AnalysisRunsHandler {
  constructor(
    private readonly aggregates: AnalysisRunsAggregates,
    private readonly queries: AnalysisRunsQueries,
    private readonly models: AnalysisModels,
  ) {}

  async request(workspaceId: string, body: RequestAnalysisRunRequestDto, meta: CommandMetadata) {
    const start = Date.parse(body.windowStart);
    const end = Date.parse(body.windowEnd);
    if (!(start < end)) throw new AnalysisRunsError(AnalysisRunsErrorCode.InvalidWindow, 'windowStart must be before windowEnd', { windowStart: body.windowStart, windowEnd: body.windowEnd });
    const setup: CommandMetadata = { ...meta, idempotencyKey: undefined, expectedVersion: undefined };
    const assignment = body.agentAssignmentId ? await this.models.assignment(workspaceId, body.agentAssignmentId) : await this.models.ensureBuiltinAssignment(workspaceId, setup);
    if (!assignment) throw new AnalysisRunsError(AnalysisRunsErrorCode.AssignmentNotFound, 'No such active agent assignment in this workspace', { agentAssignmentId: body.agentAssignmentId });
    const project = body.projectConfigId ? await this.models.project(workspaceId, body.projectConfigId) : null;
    if (body.projectConfigId && !project) throw new AnalysisRunsError(AnalysisRunsErrorCode.ProjectConfigNotFound, 'No such active project config in this workspace', { projectConfigId: body.projectConfigId });
    const engine = assignment.provider.type === 'builtin' ? 'builtin' : 'llm';
    const snapshot: RunConfigSnapshot = {
      engine,
      assignment,
      project,
      projects: project ? [project] : await this.models.projects(workspaceId),
      batching: { tokenBudget: body.batchTokenBudget ?? DEFAULT_BATCH_TOKEN_BUDGET[engine], maxMessagesPerBatch: MAX_MESSAGES_PER_BATCH_OF[engine] },
      detector: { threshold: DEFAULT_TASK_THRESHOLD },
    };
    const runId = uuidv7();
    const handled = await this.aggregates.run.handle(
      runId,
      {
        kind: 'request',
        runId,
        workspaceId,
        window: { start: new Date(start).toISOString(), end: new Date(end).toISOString(), sourceIds: body.sourceIds ?? [], channels: body.channels ?? [] },
        agentAssignmentId: assignment.id,
        projectConfigId: project?.id ?? null,
        configSnapshot: snapshot as unknown as Record<string, unknown>,
        triggerType: 'manual',
        triggeredBy: meta.actorId,
        at: meta.now.toISOString(),
      },
      meta,
      { fingerprint: body },
    );
    // A retried request (same Idempotency-Key) answers the run it started the first time.
    return this.get(workspaceId, (handled.result as { runId?: string }).runId ?? runId);
  }

  async get(workspaceId: string, runId: string) {
    const row = isUUID(runId) ? await this.queries.run(workspaceId, runId) : null;
    if (!row) throw notFound(runId);
    const counters = await this.queries.counters([runId]);
    return runResponse(row, counters.get(runId)!, await this.queries.batchFailures(runId));
  }

  async list(workspaceId: string, f: { status?: string; cursor?: string; limit: number }) {
    const page = await this.queries.runs(workspaceId, f);
    const counters = await this.queries.counters(page.items.map((r) => r.id));
    const items = [];
    for (const row of page.items) items.push(runResponse(row, counters.get(row.id)!, row.status === 'failed' || row.status === 'completed' ? await this.queries.batchFailures(row.id) : []));
    return { items, nextCursor: page.nextCursor };
  }

  async cancel(workspaceId: string, runId: string, meta: CommandMetadata) {
    if (!isUUID(runId) || !(await this.queries.run(workspaceId, runId))) throw notFound(runId);
    await this.aggregates.run.handle(runId, { kind: 'cancel', by: meta.actorId, at: meta.now.toISOString() }, meta);
    return this.get(workspaceId, runId);
  }

  async close(workspaceId: string, runId: string, meta: CommandMetadata) {
    if (!isUUID(runId) || !(await this.queries.run(workspaceId, runId))) throw notFound(runId);
    await this.aggregates.run.handle(runId, { kind: 'close', by: meta.actorId, at: meta.now.toISOString() }, meta);
    return this.get(workspaceId, runId);
  }
}
