import { v7 as uuidv7 } from 'uuid';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { SnapshotStore } from '@libs/eventsourcing/snapshot-store';
import { ParkedEvents } from '@libs/eventsourcing/subscriptions/parked-events';
import { SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import { createTestDatabase, TestDatabase } from './test-database';

/** What the event-sourcing int specs build on a fresh database: the store and the parts around it. */
export interface EventStoreTestbed {
  db: TestDatabase;
  store: PostgresEventStore;
  handler: EventSourcedCommandHandler;
  snapshots: SnapshotStore;
  checkpoints: SubscriptionCheckpoints;
  parked: ParkedEvents;
}

/**
 * Registers beforeAll/afterAll for a fresh database and answers the testbed, filled in once
 * beforeAll has run (read its fields inside tests and hooks, not at describe time):
 *
 *   const bed = useEventStoreTestbed();
 *   beforeAll(() => StreamCountsProjection.createTable(bed.db.pool));
 *   it('…', async () => { await bed.store.append(…); });
 */
export function useEventStoreTestbed(poolSize = 8): EventStoreTestbed {
  const bed = {} as EventStoreTestbed;
  beforeAll(async () => {
    bed.db = await createTestDatabase(poolSize);
    bed.store = new PostgresEventStore(bed.db.pool, { namedStatements: bed.db.backend === 'pg' });
    bed.handler = new EventSourcedCommandHandler(bed.store);
    bed.snapshots = new SnapshotStore(bed.db.pool);
    bed.checkpoints = new SubscriptionCheckpoints(bed.db.pool);
    bed.parked = new ParkedEvents(bed.db.pool);
  });
  afterAll(async () => bed.db?.close());
  return bed;
}

/** A command's metadata as a request would carry it; a fresh command id each call. */
export function testMetadata(overrides: Partial<CommandMetadata> = {}): CommandMetadata {
  return {
    commandId: uuidv7(),
    workspaceId: '0195f0a0-0000-7000-8000-0000000000aa',
    actorId: 'user-7',
    correlationId: 'req-7',
    now: new Date('2026-11-25T12:00:00Z'),
    ...overrides,
  };
}
