import { Injectable } from '@nestjs/common';
import { ConcurrencyError } from '@libs/event-store/concurrency.error';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { UniqueValueTakenError, uniqueClaimDecider, uniqueClaimStreamId } from '@libs/eventsourcing/uniqueness/unique-claim.decider';
import { SnapshotStore } from '@libs/eventsourcing/snapshot-store';
import { importJobDecider, ImportJobCommand } from '@modules/ingestion/domain/import-job/import-job.decider';
import { IngestionError, IngestionErrorCode } from '@modules/ingestion/domain/ingestion.errors';
import { sourceDecider, SourceCommand } from '@modules/ingestion/domain/source/source.decider';

/** Stream naming of ingestion's aggregates, and unique claims (a provider account binds one workspace). */
@Injectable()
export class IngestionAggregates {
  constructor(
    private readonly handler: EventSourcedCommandHandler,
    private readonly snapshots: SnapshotStore,
  ) {}

  source(sourceId: string, command: SourceCommand, metadata: CommandMetadata, fingerprint?: unknown) {
    return this.handler.handle(sourceDecider, command, {
      streamId: `source-${sourceId}`,
      streamType: 'source',
      metadata,
      requestFingerprint: fingerprint,
      result: ({ state, version }) => ({ state, version }),
    });
  }

  job(jobId: string, command: ImportJobCommand, metadata: CommandMetadata) {
    return this.handler.handle(importJobDecider, command, {
      streamId: `ingestion-job-${jobId}`,
      streamType: 'ingestion-job',
      metadata: { ...metadata, idempotencyKey: undefined, expectedVersion: undefined },
      // An import records one event per batch: without snapshots each would fold every batch before it.
      snapshots: { store: this.snapshots, every: 20, type: 'ingestion-job.v1' },
      result: ({ state }) => state,
    });
  }

  async claimAccount(kind: string, externalId: string, sourceId: string, metadata: CommandMetadata): Promise<void> {
    try {
      await this.handler.handle(uniqueClaimDecider, { kind: 'claim', scope: 'source-account', owner: sourceId }, {
        streamId: uniqueClaimStreamId('source-account', `${kind}:${externalId}`),
        streamType: 'unique-claim',
        metadata: { ...metadata, idempotencyKey: undefined, expectedVersion: undefined },
        result: () => null,
      });
    } catch (err) {
      if (err instanceof UniqueValueTakenError || err instanceof ConcurrencyError) {
        throw new IngestionError(IngestionErrorCode.SourceExternalAccountTaken, `This ${kind} account is already connected to a workspace`);
      }
      throw err;
    }
  }
}
