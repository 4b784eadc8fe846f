import { Logger } from '@nestjs/common';
import { PoolClient } from 'pg';
import { uuidV5 } from '@libs/common/ids/uuid-v5';
import { RecordedEvent } from '@libs/event-store/event-store.types';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { BatchedConsumer, ConsumerDeps, ConsumerOptions } from '@libs/eventsourcing/subscriptions/batched-consumer';
import type { LlmProviderKind } from '@modules/analysis/domain/configuration/configuration-settings';
import type { LlmProviderEvent } from '@modules/analysis/domain/llm-provider/llm-provider.decider';
import { ConfigurationAggregates } from '@modules/analysis/infrastructure/configuration-aggregates';
import { ConfigurationQueries } from '@modules/analysis/infrastructure/configuration.queries';
import { ProviderApiKeys } from '@modules/analysis/infrastructure/provider-api-keys';
import { ProviderConnections } from '@modules/analysis/infrastructure/provider-connections';

export const PROVIDER_VALIDATION_CONSUMER = 'analysis.provider-validation';
const ACTOR = `system:${PROVIDER_VALIDATION_CONSUMER}`;
const NAMESPACE = '9d1b7c2a-5e40-4f8b-a3c6-0e2f4d6b8a17';

type Requested = Extract<LlmProviderEvent, { type: 'analysis.llm-provider-validation-requested' }>['data'];

/**
 * Checks providers' connections along the log: for each validation request, marks the attempt
 * validating, makes the real call (ProviderConnections.check: the model list, through the inward
 * guard) and records connected or error with the reason. The calls are made in `prepare`, outside
 * any transaction (they may take seconds); the aggregate's attempt numbers make it safe to
 * redeliver: an attempt already finished, or superseded by a newer request, is not called again.
 * Nothing is applied in the checkpoint's transaction.
 */
export class ProviderValidationConsumer extends BatchedConsumer<number, number> {
  readonly name = PROVIDER_VALIDATION_CONSUMER;
  readonly eventTypes = ['analysis.llm-provider-validation-requested'];
  readonly ordering = 'none';
  private readonly logger = new Logger('ProviderValidation');

  constructor(
    deps: ConsumerDeps,
    options: ConsumerOptions,
    private readonly aggregates: ConfigurationAggregates,
    private readonly queries: ConfigurationQueries,
    private readonly keys: ProviderApiKeys,
    private readonly connections: ProviderConnections,
  ) {
    super(deps, options);
  }

  override async prepare(events: RecordedEvent[]): Promise<number> {
    // Only the last request of each provider in the batch can still be current.
    const latest = new Map<string, RecordedEvent>();
    for (const e of events) latest.set((e.data as Requested).id, e);
    const checked = await Promise.all([...latest.values()].map((e) => this.validate(e)));
    return checked.filter(Boolean).length;
  }

  async apply(_tx: PoolClient, _events: RecordedEvent[], checked: number): Promise<number> {
    return checked;
  }

  private async validate(e: RecordedEvent): Promise<boolean> {
    const { id, attempt } = e.data as Requested;
    await this.aggregates.provider.handle(id, { kind: 'start-validation', attempt, now: new Date() }, this.meta(e, 'start'));
    const row = await this.queries.providerById(id);
    // Superseded by a newer request, finished already, or deleted: nothing to call.
    if (!row || row.validation_attempt !== attempt || row.validation_status !== 'validating' || !row.base_url) return false;
    const error = await this.checkConnection(row.id, row.type as LlmProviderKind, row.base_url, row.api_key_encrypted);
    if (error) this.logger.log({ providerId: id, attempt, error }, 'provider validation failed');
    await this.aggregates.provider.handle(id, { kind: 'record-validation', attempt, status: error ? 'error' : 'connected', error, now: new Date() }, this.meta(e, 'record'));
    return true;
  }

  /** The call, or why it could not be made: a key sealed under a key no longer in SECRETS_KEYS is a verdict too, not a retry. */
  private async checkConnection(id: string, type: LlmProviderKind, baseUrl: string, ciphertext: string | null): Promise<string | null> {
    let apiKey: string | null;
    try {
      apiKey = this.keys.open(id, ciphertext);
    } catch {
      return 'the stored API key cannot be decrypted (was its key removed from SECRETS_KEYS?): set the key again';
    }
    return this.connections.check({ type, baseUrl, apiKey });
  }

  /** Deterministic command ids: a redelivered request names the same commands. */
  private meta(e: RecordedEvent, step: string): CommandMetadata {
    return { commandId: uuidV5(`${e.eventId}:${step}`, NAMESPACE), workspaceId: e.workspaceId, actorId: ACTOR, correlationId: e.correlationId ?? e.eventId, now: new Date() };
  }
}
