import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { z } from 'zod';
import { cursorCodec, cursorPart } from '@libs/common/pagination/cursor';
import { PG_POOL } from '@libs/database/database-backend';
import { EventSourcingError, EventSourcingErrorCode as Code } from '@libs/eventsourcing/subscriptions/parked-event.errors';
import { SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import { sagaSubscriptionName } from './saga';
import { SagaRegistry } from './saga.registry';

export interface SagaSummary {
  name: string;
  subscription: { status: string; lastError: string | null; eventsProcessed: number; updatedAt: Date | null; holder: string | null } | null;
  instances: Record<'active' | 'completed', number>;
  deadlines: { pending: number; failed: number; nextDueAt: Date | null };
  commands: Record<'pending' | 'dispatched' | 'rejected' | 'failed', number>;
  parkedEvents: number;
}

/** What operators see of sagas: health per saga, instances with their deadlines and commands. */
@Injectable()
export class SagaAdmin {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly registry: SagaRegistry,
    private readonly checkpoints: SubscriptionCheckpoints,
  ) {}

  async list(): Promise<SagaSummary[]> {
    const out: SagaSummary[] = [];
    for (const saga of this.registry.all()) {
      const sub = await this.checkpoints.get(sagaSubscriptionName(saga.name));
      const counts = await this.pool.query(
        `SELECT
           (SELECT count(*) FROM saga_instances WHERE saga = $1 AND status = 'active')::int AS active,
           (SELECT count(*) FROM saga_instances WHERE saga = $1 AND status = 'completed')::int AS completed,
           (SELECT count(*) FROM saga_deadlines WHERE saga = $1 AND status = 'pending')::int AS deadlines_pending,
           (SELECT count(*) FROM saga_deadlines WHERE saga = $1 AND status = 'failed')::int AS deadlines_failed,
           (SELECT min(due_at) FROM saga_deadlines WHERE saga = $1 AND status = 'pending') AS next_due_at,
           (SELECT count(*) FROM saga_commands WHERE saga = $1 AND status = 'pending')::int AS c_pending,
           (SELECT count(*) FROM saga_commands WHERE saga = $1 AND status = 'dispatched')::int AS c_dispatched,
           (SELECT count(*) FROM saga_commands WHERE saga = $1 AND status = 'rejected')::int AS c_rejected,
           (SELECT count(*) FROM saga_commands WHERE saga = $1 AND status = 'failed')::int AS c_failed,
           (SELECT count(*) FROM parked_events WHERE subscription = $2 AND status = 'parked')::int AS parked`,
        [saga.name, sagaSubscriptionName(saga.name)],
      );
      const c = counts.rows[0];
      out.push({
        name: saga.name,
        subscription: sub
          ? { status: sub.status, lastError: sub.lastError, eventsProcessed: sub.eventsProcessed, updatedAt: sub.updatedAt, holder: sub.holder }
          : null,
        instances: { active: c.active, completed: c.completed },
        deadlines: { pending: c.deadlines_pending, failed: c.deadlines_failed, nextDueAt: c.next_due_at },
        commands: { pending: c.c_pending, dispatched: c.c_dispatched, rejected: c.c_rejected, failed: c.c_failed },
        parkedEvents: c.parked,
      });
    }
    return out;
  }

  /** Keyset page of instances, newest change first. */
  async instances(saga: string, filter: { status?: string; limit: number; cursor?: string }) {
    this.known(saga);
    const [afterAt, afterId] = filter.cursor ? instanceCursor.decode(filter.cursor) : [null, null];
    const res = await this.pool.query(
      `SELECT instance_id, workspace_id, status, state, version, created_at, updated_at, updated_at::text AS updated_at_text
         FROM saga_instances
        WHERE saga = $1 AND ($2::text IS NULL OR status = $2)
          AND ($3::timestamptz IS NULL OR (updated_at, instance_id) < ($3::timestamptz, $4::text))
        ORDER BY updated_at DESC, instance_id DESC LIMIT $5`,
      [saga, filter.status ?? null, afterAt, afterId, filter.limit + 1],
    );
    const rows = res.rows.slice(0, filter.limit);
    const last = rows[rows.length - 1];
    return {
      items: rows.map((r) => ({
        instanceId: r.instance_id,
        workspaceId: r.workspace_id,
        status: r.status,
        state: r.state,
        version: r.version,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      })),
      nextCursor: res.rows.length > filter.limit && last ? instanceCursor.encode([last.updated_at_text, last.instance_id]) : null,
    };
  }

  /** One instance with its deadlines and the commands it sent (and what became of them). */
  async instance(saga: string, instanceId: string) {
    this.known(saga);
    const res = await this.pool.query(
      `SELECT instance_id, workspace_id, status, state, version, created_at, updated_at FROM saga_instances WHERE saga = $1 AND instance_id = $2`,
      [saga, instanceId],
    );
    const r = res.rows[0];
    if (!r) throw new EventSourcingError(Code.SagaInstanceNotFound, `Saga ${saga} has no instance ${instanceId}`);
    const deadlines = await this.pool.query(
      `SELECT id, name, due_at AS "dueAt", status, attempts, last_error AS "lastError", fired_at AS "firedAt", data
         FROM saga_deadlines WHERE saga = $1 AND instance_id = $2 ORDER BY created_at`,
      [saga, instanceId],
    );
    const commands = await this.pool.query(
      `SELECT command_id AS "commandId", command_type AS type, data, status, attempts, last_error AS "lastError",
              causation_id AS "causationId", correlation_id AS "correlationId", created_at AS "createdAt", dispatched_at AS "dispatchedAt"
         FROM saga_commands WHERE saga = $1 AND instance_id = $2 ORDER BY created_at, command_id`,
      [saga, instanceId],
    );
    return {
      instanceId: r.instance_id,
      workspaceId: r.workspace_id,
      status: r.status,
      state: r.state,
      version: r.version,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      deadlines: deadlines.rows,
      commands: commands.rows,
    };
  }

  /** Puts failed commands of a saga back in the outbox (after the cause was fixed). */
  async retryFailedCommands(saga: string): Promise<{ requeued: number }> {
    this.known(saga);
    const res = await this.pool.query(
      `UPDATE saga_commands SET status = 'pending', attempts = 0, next_attempt_at = now() WHERE saga = $1 AND status = 'failed'`,
      [saga],
    );
    return { requeued: res.rowCount ?? 0 };
  }

  private known(saga: string): void {
    if (!this.registry.all().some((s) => s.name === saga)) throw new EventSourcingError(Code.SagaNotFound, `No saga ${saga}`);
  }
}

/** Keyset of a saga's instances: (updated_at as PostgreSQL prints it, exact to the microsecond unlike a JS Date; instance id). */
const instanceCursor = cursorCodec('sagas.instances', z.tuple([cursorPart.timestamp, cursorPart.text(1000)]));
