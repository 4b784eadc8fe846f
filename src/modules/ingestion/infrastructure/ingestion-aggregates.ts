import { Injectable } from '@nestjs/common';
import { defineAggregate } from '@libs/eventsourcing/aggregate/define-aggregate';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { SnapshotStore } from '@libs/eventsourcing/snapshot-store';
import { defineUniqueClaim } from '@libs/eventsourcing/uniqueness/define-unique-claim';
import { importJobDecider } from '@modules/ingestion/domain/import-job/import-job.decider';
import { IngestionError, IngestionErrorCode } from '@modules/ingestion/domain/ingestion.errors';
import { sourceDecider } from '@modules/ingestion/domain/source/source.decider';

export const sourceAggregate = defineAggregate(sourceDecider, { streamType: 'source', result: ({ state, version }) => ({ state, version }) });

/** Written by the import and sync runners, never by a client request: no If-Match, no Idempotency-Key. */
export const importJobAggregate = defineAggregate(importJobDecider, {
  streamType: 'ingestion-job',
  result: ({ state }) => state,
  ignores: ['expectedVersion', 'idempotencyKey'],
  // An import records one event per batch: without snapshots each would fold every batch before it.
  snapshots: { every: 20, type: 'ingestion-job.v1' },
});

/** A provider account (`kind` + its external id) binds one workspace's source. */
export const sourceAccountClaim = defineUniqueClaim('source-account', {
  key: ({ kind, externalId }: { kind: string; externalId: string }) => `${kind}:${externalId}`,
  taken: ({ kind }) => new IngestionError(IngestionErrorCode.SourceExternalAccountTaken, `This ${kind} account is already connected to a workspace`),
});

/** Ingestion's aggregates and unique provider accounts, bound to the command handler. */
@Injectable()
export class IngestionAggregates {
  constructor(
    private readonly handler: EventSourcedCommandHandler,
    private readonly snapshots: SnapshotStore,
  ) {}

  readonly source = sourceAggregate.bind(this.handler);
  readonly job = importJobAggregate.bind(this.handler, this.snapshots);
  readonly sourceAccounts = sourceAccountClaim.bind(this.handler);
}
