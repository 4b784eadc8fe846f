import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { Pool } from 'pg';
import { LeaseManager, WakeUpSignal } from '@libs/database/coordination/coordination.port';
import { PG_POOL } from '@libs/database/database-backend';
import { EVENTS_APPENDED_CHANNEL, PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { ProjectionRebuilder } from '@libs/eventsourcing/projections/projection-rebuilder';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { ConsumerRegistry, DurableConsumer } from './durable-consumer';
import { ParkedEvents } from './parked-events';
import { ProjectionConsumer } from './projection-consumer';
import { CheckpointMovedError, SubscriptionCheckpoints } from './subscription-checkpoints';

export const SUBSCRIPTION_OPTIONS = Symbol('SUBSCRIPTION_OPTIONS');

export interface SubscriptionOptions {
  /** Off in processes that only serve HTTP (workers apart). */
  enabled: boolean;
  batchSize: number;
  pollIntervalMs: number;
  leaseTtlMs: number;
  maxAttempts: number;
  backoffMs: number;
  /** Dispatch attempts of a saga command before it is marked failed. */
  sagaCommandAttempts: number;
  /** projection name -> cron expression for scheduled rebuilds. */
  rebuildSchedules: Record<string, string>;
}

/**
 * Runs every async projection as a durable, leased consumer: one process at a time per
 * consumer (the lease; the checkpoint compare-and-set fences a stale holder), woken by the
 * append signal with a polling fallback. Errors are logged and retried, never fatal.
 */
@Injectable()
export class SubscriptionRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Subscriptions');
  private stopping = false;
  private readonly loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();
  private unsubscribe?: () => void;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly registry: ProjectionRegistry,
    private readonly consumers: ConsumerRegistry,
    private readonly checkpoints: SubscriptionCheckpoints,
    private readonly parked: ParkedEvents,
    private readonly rebuilder: ProjectionRebuilder,
    private readonly leases: LeaseManager,
    private readonly wakeUp: WakeUpSignal,
    private readonly scheduler: SchedulerRegistry,
    @Inject(SUBSCRIPTION_OPTIONS) private readonly options: SubscriptionOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.enabled) return;
    for (const p of this.registry.async()) await this.checkpoints.ensure(p.name, 'projection');
    for (const c of this.consumers.all()) await this.checkpoints.ensure(c.name, c.kind);
    this.scheduleRebuilds();
    this.unsubscribe = this.wakeUp.subscribe(EVENTS_APPENDED_CHANNEL, () => this.wakeAll());
    for (const p of this.registry.async()) this.loops.push(this.run(p));
    for (const c of this.consumers.all()) this.loops.push(this.runConsumer(c.create(this.leases.holderId)));
  }

  /**
   * Before any onApplicationShutdown hook: the loops finish their batch while the database is
   * still there (the database module closes the pool and the embedded server in its own hook).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.wakeAll();
    await Promise.allSettled(this.loops);
    for (const p of this.registry.async()) await this.leases.release(this.leaseName(p)).catch(() => undefined);
    for (const c of this.consumers.all()) await this.leases.release(this.leaseName(c)).catch(() => undefined);
  }

  private leaseName(c: { name: string }): string {
    return `subscription:${c.name}`;
  }

  /** Sagas and integration handlers: the same lease, wake-up and error discipline as projections. */
  private async runConsumer(consumer: DurableConsumer): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        if (!(await this.leases.tryAcquire(this.leaseName(consumer), this.options.leaseTtlMs))) {
          await this.wait(Math.max(250, this.options.leaseTtlMs / 3));
          continue;
        }
        const state = await this.checkpoints.get(consumer.name);
        if (state?.status === 'stopped') {
          await this.wait(this.options.pollIntervalMs);
          continue;
        }
        const outcome = await consumer.processNext();
        failures = 0;
        if (outcome.caughtUp) await this.wait(this.options.pollIntervalMs);
      } catch (err) {
        this.logger.error({ consumer: consumer.name, err }, 'consumer loop error');
        failures++;
        await this.wait(Math.min(30_000, this.options.backoffMs * 2 ** Math.min(failures, 8)));
      }
    }
  }

  /** Wakes idle loops now (e.g. a saga deadline became due). */
  wake(): void {
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const wake of [...this.wakers]) wake();
  }

  private wait(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  private async run(projection: RowProjection<any>): Promise<void> {
    const consumer = new ProjectionConsumer(projection, this.store, this.pool, this.checkpoints, this.parked, {
      batchSize: this.options.batchSize,
      maxAttempts: this.options.maxAttempts,
      backoffMs: this.options.backoffMs,
      holder: this.leases.holderId,
    });
    let failures = 0;
    while (!this.stopping) {
      try {
        if (!(await this.leases.tryAcquire(this.leaseName(projection), this.options.leaseTtlMs))) {
          await this.wait(Math.max(250, this.options.leaseTtlMs / 3));
          continue;
        }
        const state = await this.checkpoints.get(projection.name);
        if (state?.status === 'stopped') {
          await this.wait(this.options.pollIntervalMs);
          continue;
        }
        const pending = await this.rebuilder.pendingFor(projection.name);
        if (pending) {
          this.logger.log({ projection: projection.name, rebuildId: pending }, 'rebuild started');
          await this.rebuilder.rebuild(projection, pending);
          this.logger.log({ projection: projection.name, rebuildId: pending }, 'rebuild completed');
          continue;
        }
        const outcome = await consumer.processNext();
        failures = 0;
        if (outcome.parked) this.logger.warn({ projection: projection.name, parked: outcome.parked }, 'events parked');
        if (outcome.caughtUp) await this.wait(this.options.pollIntervalMs);
      } catch (err) {
        if (err instanceof CheckpointMovedError) {
          this.logger.warn({ projection: projection.name }, err.message);
        } else {
          this.logger.error({ projection: projection.name, err }, 'subscription loop error');
        }
        failures++;
        await this.wait(Math.min(30_000, this.options.backoffMs * 2 ** Math.min(failures, 8)));
      }
    }
  }

  private scheduleRebuilds(): void {
    for (const [name, cron] of Object.entries(this.options.rebuildSchedules)) {
      const projection = this.registry.get(name);
      if (!projection) {
        this.logger.warn({ projection: name }, 'a rebuild schedule names an unknown projection');
        continue;
      }
      const job = CronJob.from({
        cronTime: cron,
        onTick: () => {
          void this.requestScheduledRebuild(name);
        },
      });
      this.scheduler.addCronJob(`projection-rebuild:${name}`, job);
      job.start();
    }
  }

  /** Once across processes: whoever takes the lease first files the request; the consumer runs it. */
  private async requestScheduledRebuild(name: string): Promise<void> {
    try {
      if (!(await this.leases.tryAcquire(`rebuild-schedule:${name}`, 60_000))) return;
      if (await this.rebuilder.pendingFor(name)) return;
      await this.rebuilder.request(name, 'schedule');
      this.wakeAll();
    } catch (err) {
      this.logger.error({ projection: name, err }, 'scheduled rebuild request failed');
    }
  }
}
