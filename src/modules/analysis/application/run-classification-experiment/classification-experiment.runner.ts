import { performance } from 'node:perf_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { AnalysisModels } from '@modules/analysis/application/analysis-models';
import { SpendGuard } from '@modules/analysis/application/spend-guard';
import { AiAgentsError, AiAgentsErrorCode as Code } from '@modules/analysis/domain/ai-agents.errors';
import {
  ClassificationResult,
  EXPERIMENT_TEXT_EXCERPT,
  ExperimentLabel,
  ExperimentLabelSource,
  ExperimentMessage,
} from '@modules/analysis/domain/classification-experiment/classification-experiment.decider';
import { experimentMetrics } from '@modules/analysis/domain/classification-experiment/experiment-metrics';
import { AiAgentsAggregates } from '@modules/analysis/infrastructure/ai-agents.aggregates';
import { AiAgentsQueries } from '@modules/analysis/infrastructure/ai-agents.queries';
import { LabelClassifier, llmLabelClassifier, offlineLabelClassifier } from '@modules/analysis/infrastructure/label-classifiers';
import { MessageTexts } from '@modules/ingestion/contracts/message-texts';
import { KnowledgeTopics } from '@modules/knowledge/contracts/knowledge-topics';

export const EXPERIMENT_WORKFLOW = 'analysis.classification-experiment';
/** Calls of a provider's model between two budget checks. */
const BUDGET_CHECK_EVERY = 20;

/** What the runner's own commands carry: no actor (the system acts), the experiment as correlation. */
export function systemMetadata(workspaceId: string, correlationId: string, now = new Date()): CommandMetadata {
  return { commandId: uuidv7(), workspaceId, actorId: null, correlationId, now };
}

/**
 * Runs one experiment (the `analysis.classification-experiment` job): snapshots the label set
 * and starts it, reads the texts of the messages given by id, classifies each message with the
 * provider's model (or the built-in classifier), then completes it with the per-message results
 * and metrics. Any refusal or provider error fails it with that error's message. Run again after
 * a crash (the job is retried), a running experiment starts over from its first snapshot: results
 * are recorded only at the end, so nothing is counted twice.
 */
@Injectable()
export class ClassificationExperimentRunner {
  private readonly logger = new Logger('ClassificationExperimentRunner');

  constructor(
    private readonly aggregates: AiAgentsAggregates,
    private readonly queries: AiAgentsQueries,
    private readonly models: AnalysisModels,
    private readonly topics: KnowledgeTopics,
    private readonly messageTexts: MessageTexts,
    private readonly spend: SpendGuard,
  ) {}

  async run(workspaceId: string, experimentId: string, signal?: AbortSignal): Promise<'completed' | 'failed' | 'skipped'> {
    const row = await this.queries.experiment(workspaceId, experimentId);
    if (!row || row.status === 'completed' || row.status === 'failed') return 'skipped';
    try {
      if (row.status === 'pending') {
        const labels = await this.labelSet(workspaceId, row.label_source as ExperimentLabelSource);
        await this.aggregates.experiment.handle(experimentId, { kind: 'start', topicsSnapshot: labels, now: new Date() }, systemMetadata(workspaceId, experimentId));
      }
      const started = (await this.queries.experiment(workspaceId, experimentId))!;
      const labels = started.topics_snapshot as ExperimentLabel[];
      const messages = started.messages as ExperimentMessage[];
      const names = labels.map((l) => l.name);
      if (names.length < 2) throw new AiAgentsError(Code.LabelSetInvalid, `An experiment needs at least two labels; the label set has ${names.length}`);
      const outside = [...new Set(messages.map((m) => m.expectedLabel).filter((l) => !names.includes(l)))];
      if (outside.length) throw new AiAgentsError(Code.LabelSetInvalid, `Expected labels not in the label set: ${outside.join(', ')}`);
      const texts = await this.texts(workspaceId, messages);
      const { classifier, paid } = await this.classifier(workspaceId, started.provider_id, started.model_name, labels);
      const results: ClassificationResult[] = [];
      for (let i = 0; i < messages.length; i++) {
        if (signal?.aborted) throw new Error('the experiment ran out of time');
        // A provider's model costs: the budget is checked before the first call and every BUDGET_CHECK_EVERY calls.
        if (paid && i % BUDGET_CHECK_EVERY === 0) await this.spend.check(workspaceId);
        const text = texts[i];
        const t0 = performance.now();
        const p = await classifier.classify(text);
        const executionTimeMs = performance.now() - t0;
        const m = messages[i];
        results.push({ messageId: m.messageId, text: text.slice(0, EXPERIMENT_TEXT_EXCERPT), expectedLabel: m.expectedLabel, predictedLabel: p.label, confidence: p.confidence, executionTimeMs, correct: p.label === m.expectedLabel });
      }
      const metrics = experimentMetrics(
        names,
        results.map((r) => ({ expected: r.expectedLabel, predicted: r.predictedLabel, confidence: r.confidence, executionTimeMs: r.executionTimeMs })),
      );
      await this.aggregates.experiment.handle(experimentId, { kind: 'complete', results, metrics, now: new Date() }, systemMetadata(workspaceId, experimentId));
      return 'completed';
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.logger.warn({ experimentId, err: message }, 'classification experiment failed');
      await this.aggregates.experiment.handle(experimentId, { kind: 'fail', errorMessage: message, now: new Date() }, systemMetadata(workspaceId, experimentId));
      return 'failed';
    }
  }

  private async labelSet(workspaceId: string, source: ExperimentLabelSource): Promise<ExperimentLabel[]> {
    if (source.kind === 'labels') return source.labels;
    const topics = await this.topics.activeTopics(workspaceId);
    return topics.map((t) => ({ name: t.name, description: t.description || null, topicId: t.id }));
  }

  private async texts(workspaceId: string, messages: ExperimentMessage[]): Promise<string[]> {
    const ids = [...new Set(messages.flatMap((m) => (m.messageId ? [m.messageId] : [])))];
    const found = await this.messageTexts.texts(workspaceId, ids);
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) throw new AiAgentsError(Code.MessageNotFound, `Messages not found in the workspace: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}`);
    return messages.map((m) => (m.messageId ? found.get(m.messageId)! : (m.text ?? '')));
  }

  private async classifier(workspaceId: string, providerId: string, modelName: string, labels: ExperimentLabel[]): Promise<{ classifier: LabelClassifier; paid: boolean }> {
    const model = await this.models.model(workspaceId, providerId, modelName);
    if (!model) throw new AiAgentsError(Code.ProviderNotAvailable, 'The provider is not available to this workspace (unknown or inactive)');
    if (model.builtin) return { classifier: offlineLabelClassifier(labels), paid: false };
    return { classifier: llmLabelClassifier(model.client, labels, { workspaceId, workflow: EXPERIMENT_WORKFLOW, node: 'classify' }), paid: true };
  }
}
