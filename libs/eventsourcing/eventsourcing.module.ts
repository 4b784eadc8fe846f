import { Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { EventSourcedCommandHandler } from './event-sourced-command.handler';
import { SnapshotStore } from './snapshot-store';

/**
 * @nestjs/cqrs is the router (CommandBus/QueryBus); durability comes from the event store and,
 * for reactions, from durable subscriptions, never from its in-memory EventBus.
 */
@Global()
@Module({
  imports: [CqrsModule.forRoot()],
  providers: [
    { provide: EventSourcedCommandHandler, inject: [PostgresEventStore], useFactory: (s: PostgresEventStore) => new EventSourcedCommandHandler(s) },
    { provide: SnapshotStore, inject: [PG_POOL], useFactory: (pool: Pool) => new SnapshotStore(pool) },
  ],
  exports: [CqrsModule, EventSourcedCommandHandler, SnapshotStore],
})
export class EventSourcingModule {}
