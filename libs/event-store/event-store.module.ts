import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { Pool } from 'pg';
import { LeaseManager, WakeUpSignal } from '@libs/database/coordination/coordination.port';
import { DATABASE_BACKEND, DatabaseBackend, PG_POOL } from '@libs/database/database-backend';
import { EventPartitions } from './event-partitions';
import { EventTypeRegistry } from './event-type-registry';
import { PostgresEventStore } from './postgres-event-store';

export const EVENT_STORE_OPTIONS = Symbol('EVENT_STORE_OPTIONS');

export interface EventStoreModuleOptions {
  partitionMonthsAhead: number;
  /** The app keeps partitions ahead on start-up and daily; the CLI does it only when asked. */
  maintainPartitions?: boolean;
}

/** Keeps monthly partitions ahead of time: on start-up and daily, once across processes. */
@Injectable()
export class PartitionMaintenance implements OnApplicationBootstrap {
  private readonly logger = new Logger('EventPartitions');

  constructor(
    private readonly partitions: EventPartitions,
    private readonly leases: LeaseManager,
    @Inject(EVENT_STORE_OPTIONS) private readonly options: EventStoreModuleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureAhead();
  }

  @Cron(CronExpression.EVERY_DAY_AT_3AM, { name: 'event-partitions.ensure-ahead' })
  async ensureAhead(): Promise<string[]> {
    if (this.options.maintainPartitions === false) return [];
    if (!(await this.leases.tryAcquire('event-partitions.ensure-ahead', 60_000))) return [];
    try {
      const created = await this.partitions.ensureAhead(this.options.partitionMonthsAhead);
      if (created.length) this.logger.log({ created }, 'event partitions created');
      return created;
    } catch (err) {
      // A failure must not stop the app: the DEFAULT partition still accepts events.
      this.logger.error({ err }, 'ensuring event partitions failed');
      return [];
    } finally {
      await this.leases.release('event-partitions.ensure-ahead');
    }
  }
}

@Global()
@Module({})
export class EventStoreModule {
  static forRoot(options: EventStoreModuleOptions): DynamicModule {
    return {
      module: EventStoreModule,
      providers: [
        { provide: EVENT_STORE_OPTIONS, useValue: options },
        { provide: EventTypeRegistry, useValue: new EventTypeRegistry() },
        {
          provide: PostgresEventStore,
          inject: [PG_POOL, EventTypeRegistry, WakeUpSignal, DATABASE_BACKEND],
          useFactory: (pool: Pool, registry: EventTypeRegistry, wakeUp: WakeUpSignal, backend: DatabaseBackend) =>
            new PostgresEventStore(pool, { registry, wakeUp, namedStatements: backend.kind === 'pg' }),
        },
        { provide: EventPartitions, inject: [PG_POOL], useFactory: (pool: Pool) => new EventPartitions(pool) },
        PartitionMaintenance,
      ],
      exports: [EVENT_STORE_OPTIONS, PostgresEventStore, EventTypeRegistry, EventPartitions, PartitionMaintenance],
    };
  }
}
