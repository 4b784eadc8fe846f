import { DynamicModule, Global, Injectable, InjectionToken, Module, OnModuleInit } from '@nestjs/common';
import { DataSubjects } from '@libs/event-store/data-subjects';
import { SUBJECT_ERASED_EVENT } from '@libs/event-store/personal-data';
import { applyRowProjection } from './projections/row-projection';
import { CqrsModule } from '@nestjs/cqrs';
import { Pool } from 'pg';
import { registerErrorStatuses } from '@libs/common/http/error-status.registry';
import { LeaseManager } from '@libs/database/coordination/coordination.port';
import { PG_POOL } from '@libs/database/database-backend';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { EventSourcedCommandHandler } from './event-sourced-command.handler';
import { ProjectionAdmin } from './projections/projection-admin';
import { ProjectionRebuilder } from './projections/projection-rebuilder';
import { ProjectionRegistry } from './projections/projection.registry';
import { SagaAdmin } from './sagas/saga-admin';
import { SagaCommandRoutes } from './sagas/saga-command-routes';
import { SagaRegistry } from './sagas/saga.registry';
import { SnapshotStore } from './snapshot-store';
import { BatchedConsumers } from './subscriptions/batched-consumers';
import { ConsumerRegistry } from './subscriptions/durable-consumer';
import { ParkedEventAdmin } from './subscriptions/parked-event-admin';
import { eventSourcingErrorStatuses } from './subscriptions/parked-event.errors';
import { ParkedEvents } from './subscriptions/parked-events';
import { SubscriptionCheckpoints } from './subscriptions/subscription-checkpoints';
import { SUBSCRIPTION_OPTIONS, SubscriptionOptions, SubscriptionRunner } from './subscriptions/subscription-runner';

registerErrorStatuses(eventSourcingErrorStatuses);
registerErrorStatuses({ UNIQUE_VALUE_TAKEN: 409 });

export const defaultSubscriptionOptions: SubscriptionOptions = {
  enabled: true,
  batchSize: 1000,
  pollIntervalMs: 1000,
  leaseTtlMs: 10_000,
  maxAttempts: 3,
  backoffMs: 100,
  sagaCommandAttempts: 5,
  rebuildSchedules: {},
};

/**
 * @nestjs/cqrs is the router (CommandBus/QueryBus); durability comes from the event store and
 * the durable subscriptions here, never from its in-memory EventBus.
 */
/** Inline read models see an erasure in its own transaction, like any append of a command. */
@Injectable()
export class InlineProjectionsOnErasure implements OnModuleInit {
  constructor(
    private readonly subjects: DataSubjects,
    private readonly registry: ProjectionRegistry,
  ) {}

  onModuleInit(): void {
    this.subjects.onErasure(async (tx, events) => {
      for (const p of this.registry.inlineFor(SUBJECT_ERASED_EVENT)) await applyRowProjection(p, events, tx);
    });
  }
}

@Global()
@Module({})
export class EventSourcingModule {
  static forRoot(options: Partial<SubscriptionOptions> = {}): DynamicModule {
    const pool = (fn: (p: Pool, ...rest: any[]) => unknown, ...inject: InjectionToken[]) => ({ inject: [PG_POOL, ...inject], useFactory: fn });
    return {
      module: EventSourcingModule,
      imports: [CqrsModule.forRoot()],
      providers: [
        { provide: SUBSCRIPTION_OPTIONS, useValue: { ...defaultSubscriptionOptions, ...options } },
        ProjectionRegistry,
        ConsumerRegistry,
        BatchedConsumers,
        SagaCommandRoutes,
        SagaRegistry,
        SagaAdmin,
        { provide: EventSourcedCommandHandler, inject: [PostgresEventStore, PG_POOL, ProjectionRegistry], useFactory: (s: PostgresEventStore, p: Pool, r: ProjectionRegistry) => new EventSourcedCommandHandler(s, { pool: p, registry: r }) },
        { provide: SnapshotStore, ...pool((p) => new SnapshotStore(p)) },
        { provide: SubscriptionCheckpoints, ...pool((p) => new SubscriptionCheckpoints(p)) },
        { provide: ParkedEvents, ...pool((p) => new ParkedEvents(p)) },
        {
          provide: ProjectionRebuilder,
          ...pool((p, s: PostgresEventStore, c: SubscriptionCheckpoints) => new ProjectionRebuilder(p, s, c), PostgresEventStore, SubscriptionCheckpoints),
        },
        {
          provide: ParkedEventAdmin,
          ...pool(
            (p, s: PostgresEventStore, pe: ParkedEvents, r: ProjectionRegistry, c: ConsumerRegistry) => new ParkedEventAdmin(p, s, pe, r, c),
            PostgresEventStore,
            ParkedEvents,
            ProjectionRegistry,
            ConsumerRegistry,
          ),
        },
        {
          provide: ProjectionAdmin,
          ...pool(
            (p, r: ProjectionRegistry, c: SubscriptionCheckpoints, rb: ProjectionRebuilder, l: LeaseManager) => new ProjectionAdmin(p, r, c, rb, l),
            ProjectionRegistry,
            SubscriptionCheckpoints,
            ProjectionRebuilder,
            LeaseManager,
          ),
        },
        SubscriptionRunner,
        InlineProjectionsOnErasure,
      ],
      exports: [
        CqrsModule,
        EventSourcedCommandHandler,
        SnapshotStore,
        ProjectionRegistry,
        ConsumerRegistry,
        BatchedConsumers,
        SagaCommandRoutes,
        SagaRegistry,
        SagaAdmin,
        SubscriptionCheckpoints,
        ParkedEvents,
        ProjectionRebuilder,
        ParkedEventAdmin,
        ProjectionAdmin,
        SubscriptionRunner,
      ],
    };
  }
}
