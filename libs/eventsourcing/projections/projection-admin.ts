import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { LeaseManager } from '@libs/database/coordination/coordination.port';
import { SubscriptionCheckpoints, SubscriptionState } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import { EventSourcingError, EventSourcingErrorCode as Code } from '@libs/eventsourcing/subscriptions/parked-event.errors';
import { ProjectionRebuilder, RebuildRecord } from './projection-rebuilder';
import { ProjectionRegistry } from './projection.registry';

export interface ProjectionStatus {
  name: string;
  mode: 'inline' | 'async';
  table: string;
  status: string;
  checkpoint: { transactionId: string; globalPosition: number } | null;
  lag: { events: number; seconds: number };
  eventsProcessed: number;
  lastError: string | null;
  parkedEvents: number;
  holder: string | null;
  updatedAt: Date | null;
  rebuild: RebuildRecord | null;
  /** Set when the oldest open transaction holds the consumer's horizon back. */
  blockedBy: { pid: number; xmin: string; ageSeconds: number } | null;
}

/** What the admin API and the CLI show and do about projections. */
export class ProjectionAdmin {
  private readonly logger = new Logger('ProjectionAdmin');

  constructor(
    private readonly pool: Pool,
    private readonly registry: ProjectionRegistry,
    private readonly checkpoints: SubscriptionCheckpoints,
    private readonly rebuilder: ProjectionRebuilder,
    private readonly leases: LeaseManager,
  ) {}

  async list(): Promise<ProjectionStatus[]> {
    const states = new Map((await this.checkpoints.list()).map((s) => [s.name, s]));
    const blocker = await this.oldestOpenTransaction();
    const out: ProjectionStatus[] = [];
    for (const p of this.registry.all()) {
      const state = states.get(p.name) ?? null;
      const lag = state ? await this.lagOf(state, p.eventTypes) : { events: 0, seconds: 0 };
      const parked = await this.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM parked_events WHERE subscription = $1 AND status = 'parked'`,
        [p.name],
      );
      const [rebuild] = await this.rebuilder.list(p.name, 1);
      out.push({
        name: p.name,
        mode: p.mode,
        table: p.table,
        status: p.mode === 'inline' ? (rebuild?.status === 'running' ? 'rebuilding' : 'inline') : (state?.status ?? 'stopped'),
        checkpoint: state?.checkpoint ?? null,
        lag,
        eventsProcessed: state?.eventsProcessed ?? 0,
        lastError: state?.lastError ?? null,
        parkedEvents: Number(parked.rows[0].n),
        holder: state?.holder ?? null,
        updatedAt: state?.updatedAt ?? null,
        rebuild: rebuild ?? null,
        blockedBy: lag.events > 0 && blocker && blocker.ageSeconds > 5 ? blocker : null,
      });
    }
    return out;
  }

  async requestRebuild(name: string, trigger: string): Promise<string> {
    const projection = this.registry.get(name);
    if (!projection) throw new EventSourcingError(Code.ProjectionNotFound, `No projection named ${name}`);
    const pending = await this.rebuilder.pendingFor(name);
    if (pending) throw new EventSourcingError(Code.RebuildAlreadyPending, `A rebuild of ${name} is already pending`, { rebuildId: pending });
    const id = await this.rebuilder.request(name, trigger);
    await this.checkpoints.requestRebuild(name);
    if (projection.mode === 'inline') {
      // No consumer loop runs inline projections: this process runs the rebuild, once across processes.
      void (async () => {
        if (!(await this.leases.tryAcquire(`rebuild:${name}`, 60 * 60_000))) return;
        try {
          await this.rebuilder.rebuild(projection, id);
        } catch (err) {
          this.logger.error({ projection: name, err }, 'inline projection rebuild failed');
        } finally {
          await this.leases.release(`rebuild:${name}`);
        }
      })();
    }
    return id;
  }

  private async lagOf(state: SubscriptionState, eventTypes: string[] | undefined): Promise<{ events: number; seconds: number }> {
    const res = await this.pool.query<{ n: string; oldest: Date | null }>(
      `SELECT count(*) AS n, min(recorded_at) AS oldest FROM events
        WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) AND ($3::text[] IS NULL OR event_type = ANY($3))`,
      [state.checkpoint.transactionId, state.checkpoint.globalPosition, eventTypes ?? null],
    );
    const oldest = res.rows[0].oldest;
    return {
      events: Number(res.rows[0].n),
      seconds: oldest ? Math.max(0, Math.round((Date.now() - new Date(oldest).getTime()) / 1000)) : 0,
    };
  }

  private async oldestOpenTransaction(): Promise<ProjectionStatus['blockedBy']> {
    try {
      const res = await this.pool.query(
        `SELECT pid, backend_xid::text AS xmin, extract(epoch FROM now() - xact_start)::int AS age
           FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
          ORDER BY xact_start LIMIT 1`,
      );
      const r = res.rows[0];
      return r ? { pid: r.pid, xmin: r.xmin, ageSeconds: r.age } : null;
    } catch {
      return null; // the embedded database has no pg_stat_activity of other backends
    }
  }
}
