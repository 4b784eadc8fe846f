import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { Pool } from 'pg';
import { EncryptedColumns } from '@libs/common/crypto/encrypted-columns';
import { SecretBox } from '@libs/common/crypto/secret-box';
import { LeaseManager, WakeUpSignal } from '@libs/database/coordination/coordination.port';
import { DATABASE_BACKEND, DatabaseBackend, PG_POOL } from '@libs/database/database-backend';
import { DataSubjects } from './data-subjects';
import { EventPartitions } from './event-partitions';
import { EventTypeRegistry } from './event-type-registry';
import { SubjectErasedData } from './personal-data';
import { PersonalDataCipher, subjectKeyAad } from './personal-data-cipher';
import { PostgresEventStore } from './postgres-event-store';

export const EVENT_STORE_OPTIONS = Symbol('EVENT_STORE_OPTIONS');

export interface EventStoreModuleOptions {
  partitionMonthsAhead: number;
  /** The app keeps partitions ahead on start-up (and daily through the scheduled job); the CLI only when asked. */
  maintainPartitions?: boolean;
  /** How long an Idempotency-Key's answer is replayed (IDEMPOTENCY_KEY_TTL_HOURS; default 24). */
  idempotencyTtlHours?: number;
}

/**
 * Keeps monthly partitions ahead of time on start-up, once across processes. The daily run is the
 * scheduled job `event-partitions.ensure-ahead` (libs/jobs), recorded in worker_runs.
 */
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
          // Personal data (crypto-shredding) needs the global CryptoModule's SecretBox; the data
          // subjects' wrapped keys are the first column `secrets rotate` re-encrypts.
          provide: PersonalDataCipher,
          inject: [{ token: SecretBox, optional: true }, { token: EncryptedColumns, optional: true }],
          useFactory: (box?: SecretBox, columns?: EncryptedColumns) => {
            columns?.register({ table: 'data_subject_keys', idColumn: 'subject_id', column: 'key_ciphertext', aad: subjectKeyAad });
            return new PersonalDataCipher(box);
          },
        },
        {
          provide: PostgresEventStore,
          inject: [PG_POOL, EventTypeRegistry, WakeUpSignal, DATABASE_BACKEND, PersonalDataCipher],
          useFactory: (pool: Pool, registry: EventTypeRegistry, wakeUp: WakeUpSignal, backend: DatabaseBackend, personalData: PersonalDataCipher) =>
            new PostgresEventStore(pool, {
              registry,
              wakeUp,
              namedStatements: backend.kind === 'pg',
              personalData,
              idempotencyTtlSeconds: options.idempotencyTtlHours !== undefined ? options.idempotencyTtlHours * 3600 : undefined,
            }),
        },
        {
          provide: DataSubjects,
          inject: [PG_POOL, PostgresEventStore],
          useFactory: (pool: Pool, store: PostgresEventStore) => {
            const subjects = new DataSubjects(pool, store);
            // Stored idempotent answers are kept in clear: an erasure deletes the subject's in its transaction.
            subjects.onErasure(async (tx, events) => {
              for (const e of events) await store.forgetIdempotentAnswersOf((e.data as SubjectErasedData).subjectId, tx);
            });
            return subjects;
          },
        },
        { provide: EventPartitions, inject: [PG_POOL], useFactory: (pool: Pool) => new EventPartitions(pool) },
        PartitionMaintenance,
      ],
      exports: [EVENT_STORE_OPTIONS, PostgresEventStore, EventTypeRegistry, PersonalDataCipher, DataSubjects, EventPartitions, PartitionMaintenance],
    };
  }
}
