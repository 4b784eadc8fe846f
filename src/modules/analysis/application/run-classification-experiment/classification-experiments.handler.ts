import { Injectable } from '@nestjs/common';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { CommandMetadata, scopedIdempotencyKey } from '@libs/eventsourcing/command-metadata';
import { AnalysisModels } from '@modules/analysis/application/analysis-models';
import { AiAgentsError, AiAgentsErrorCode as Code } from '@modules/analysis/domain/ai-agents.errors';
import { ClassificationResult, ExperimentLabelSource, ExperimentMessage } from '@modules/analysis/domain/classification-experiment/classification-experiment.decider';
import { compareExperiments, ExperimentMetrics } from '@modules/analysis/domain/classification-experiment/experiment-metrics';
import { AiAgentsAggregates, newEntityId } from '@modules/analysis/infrastructure/ai-agents.aggregates';
import { AiAgentsQueries } from '@modules/analysis/infrastructure/ai-agents.queries';
import type { ClassificationExperimentRow } from '@modules/analysis/projections/classification-experiments.projection';
import { MessageTexts } from '@modules/ingestion/contracts/message-texts';
import { CreateExperimentRequestDto } from './classification-experiments.request.dto';
import { personOf } from '@modules/analysis/application/manage-ai-agents/agent-owner.decorator';

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

/** An experiment as the API shows it; `full` adds the labelled messages and the per-message results. */
export function experimentResponse(r: ClassificationExperimentRow, full = true) {
  const metrics = r.metrics as Omit<ExperimentMetrics, 'confusionMatrix'> | null;
  return {
    id: r.id,
    providerId: r.provider_id,
    modelName: r.model_name,
    messageCount: r.message_count,
    status: r.status,
    labelSource: r.label_source,
    topicsSnapshot: r.topics_snapshot,
    accuracy: r.accuracy,
    macroF1: r.macro_f1,
    avgConfidence: r.avg_confidence,
    avgExecutionTimeMs: r.avg_execution_time_ms,
    confusionMatrix: r.confusion_matrix,
    metrics,
    errorMessage: r.error_message,
    requestedBy: r.requested_by,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    startedAt: iso(r.started_at),
    completedAt: iso(r.completed_at),
    ...(full ? { messages: r.messages, classificationResults: r.classification_results } : {}),
  };
}

@Injectable()
export class ClassificationExperimentsHandler {
  constructor(
    private readonly aggregates: AiAgentsAggregates,
    private readonly queries: AiAgentsQueries,
    private readonly models: AnalysisModels,
    private readonly messageTexts: MessageTexts,
  ) {}

  /** Records the experiment as pending; the dispatcher queues its run (202). */
  async request(workspaceId: string, input: CreateExperimentRequestDto, meta: CommandMetadata) {
    const labelSource = this.labelSource(input);
    const messages = this.messages(input, labelSource);
    const providerId = input.providerId ?? (await this.models.ensureBuiltinAssignment(workspaceId, meta)).provider.id;
    if (!(await this.models.model(workspaceId, providerId, input.modelName))) {
      throw new AiAgentsError(Code.ProviderNotAvailable, 'The provider is not available to this workspace (unknown or inactive)', { providerId });
    }
    const ids = [...new Set(messages.flatMap((m) => (m.messageId ? [m.messageId] : [])))];
    const found = await this.messageTexts.texts(workspaceId, ids);
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) throw new AiAgentsError(Code.MessageNotFound, 'Some messages are not messages of this workspace', { messageIds: missing.slice(0, 20) });
    const experimentId = newEntityId('classification-experiment', workspaceId, scopedIdempotencyKey(meta), input);
    await this.aggregates.experiment.handle(
      experimentId,
      { kind: 'request', experimentId, workspaceId, providerId, modelName: input.modelName, labelSource, messages, requestedBy: personOf(meta.actorId), now: meta.now },
      meta,
      { fingerprint: input },
    );
    return experimentResponse((await this.queries.experiment(workspaceId, experimentId))!);
  }

  async get(workspaceId: string, id: string) {
    return experimentResponse(await this.row(workspaceId, id));
  }

  async list(workspaceId: string, page: { limit: number; cursor?: string }) {
    const rows = await this.queries.experiments(workspaceId, page);
    return { items: rows.items.map((r) => experimentResponse(r, false)), nextCursor: rows.nextCursor };
  }

  /** B against A, side by side: both experiments, the metric deltas, per-label scores and the messages they disagree on. */
  async compare(workspaceId: string, aId: string, bId: string) {
    const [a, b] = [await this.row(workspaceId, aId), await this.row(workspaceId, bId)];
    for (const x of [a, b]) {
      if (x.status !== 'completed') throw new AiAgentsError(Code.ExperimentNotCompleted, `Experiment ${x.id} is ${x.status}: only completed experiments can be compared`, { experimentId: x.id, status: x.status });
    }
    const side = (r: ClassificationExperimentRow) => ({
      metrics: { ...(r.metrics as Omit<ExperimentMetrics, 'confusionMatrix'>), confusionMatrix: r.confusion_matrix } as ExperimentMetrics,
      results: (r.classification_results as ClassificationResult[]).map((c) => ({ messageId: c.messageId, text: c.text, expected: c.expectedLabel, predicted: c.predictedLabel, confidence: c.confidence })),
    });
    return { a: experimentResponse(a, false), b: experimentResponse(b, false), comparison: compareExperiments(side(a), side(b)) };
  }

  private async row(workspaceId: string, id: string): Promise<ClassificationExperimentRow> {
    const row = await this.queries.experiment(workspaceId, id);
    if (!row) throw new AiAgentsError(Code.ExperimentNotFound, 'No such experiment', { experimentId: id });
    return row;
  }

  private labelSource(input: CreateExperimentRequestDto): ExperimentLabelSource {
    const { topics, labels } = input.labelSet;
    if ((topics === true) === (labels !== undefined)) {
      throw new ValidationFailedError('The label set is not valid', [{ field: 'labelSet', message: 'give exactly one of topics: true or labels' }]);
    }
    if (topics) return { kind: 'topics' };
    const names = labels!.map((l) => l.name.toLowerCase());
    const dup = names.findIndex((n, i) => names.indexOf(n) !== i);
    if (dup >= 0) throw new ValidationFailedError('The label set is not valid', [{ field: `labelSet.labels.${dup}.name`, message: 'label names must be unique' }]);
    return { kind: 'labels', labels: labels!.map((l) => ({ name: l.name, description: l.description ?? null })) };
  }

  private messages(input: CreateExperimentRequestDto, source: ExperimentLabelSource): ExperimentMessage[] {
    const errors: { field: string; message: string }[] = [];
    const names = source.kind === 'labels' ? new Set(source.labels.map((l) => l.name)) : null;
    input.messages.forEach((m, i) => {
      if ((m.messageId === undefined) === (m.text === undefined)) errors.push({ field: `messages.${i}`, message: 'give exactly one of messageId or text' });
      // Topics are read when the experiment starts; a label set given here is checked now.
      if (names && !names.has(m.expectedLabel)) errors.push({ field: `messages.${i}.expectedLabel`, message: 'must be one of the label names' });
    });
    if (errors.length) throw new ValidationFailedError('The messages are not valid', errors.slice(0, 50));
    return input.messages.map((m) => ({ messageId: m.messageId ?? null, text: m.text ?? null, expectedLabel: m.expectedLabel }));
  }
}
