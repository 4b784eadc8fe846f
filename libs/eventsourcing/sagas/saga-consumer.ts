import { Logger } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { v5 as uuidv5 } from 'uuid';
import { ApplicationError } from '@libs/common/errors/application-error';
import { ConcurrencyError } from '@libs/event-store/concurrency.error';
import { Checkpoint, RecordedEvent } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { BatchedConsumer, ConsumerOptions } from '@libs/eventsourcing/subscriptions/batched-consumer';
import { BatchOutcome } from '@libs/eventsourcing/subscriptions/durable-consumer';
import { errorText } from '@libs/eventsourcing/subscriptions/isolate-failing-events';
import { ParkedEvents } from '@libs/eventsourcing/subscriptions/parked-events';
import { SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import { inTransaction } from '@libs/eventsourcing/subscriptions/transaction';
import { DueDeadline, SagaCommand, SagaDefinition, SagaReaction, sagaSubscriptionName } from './saga';
import { SagaCommandRoutes } from './saga-command-routes';

/** Namespace of the deterministic (v5) ids of saga commands and deadlines. */
const SAGA_NAMESPACE = '6f1c3b2e-5d4a-4e8f-9a7b-0c1d2e3f4a5b';


export interface SagaConsumerOptions extends ConsumerOptions {
  /** Dispatch attempts of one command before it is marked failed (business refusals are final at once). */
  commandAttempts: number;
  clock?: () => Date;
}

interface Cause {
  /** The event id or `deadline:<id>`: the seed of the command ids. */
  seed: string;
  workspaceId: string | null;
  correlationId: string | null;
  causationId: string;
}

/**
 * Drives one saga along the log (a BatchedConsumer). Per batch, in ONE transaction with the
 * checkpoint: load each instance row (FOR UPDATE), react, write the state, its deadlines and its outgoing commands
 * (outbox rows with ids derived from the causing event). Then fires due deadlines the same way,
 * then dispatches pending commands. An instance remembers the log position it last applied, so
 * a redelivered event (checkpoint reset, replay of a parked stream) is a no-op.
 */
export class SagaConsumer extends BatchedConsumer {
  private readonly logger: Logger;
  readonly name: string;
  readonly eventTypes: string[];
  // Events of a stream with a parked event wait behind it, so an instance never skips a step.
  readonly ordering = 'per-stream';

  constructor(
    private readonly saga: SagaDefinition<any>,
    store: PostgresEventStore,
    pool: Pool,
    checkpoints: SubscriptionCheckpoints,
    parked: ParkedEvents,
    private readonly routes: SagaCommandRoutes,
    private readonly sagaOptions: SagaConsumerOptions,
  ) {
    super({ store, pool, checkpoints, parked }, sagaOptions);
    this.name = sagaSubscriptionName(saga.name);
    this.eventTypes = Object.keys(saga.on);
    this.logger = new Logger(`Saga ${saga.name}`);
  }

  private now(): Date {
    return this.sagaOptions.clock?.() ?? new Date();
  }

  /** A round: the events past the checkpoint, then due deadlines, then pending commands. */
  override async processNext(): Promise<BatchOutcome> {
    const events = await super.processNext();
    const deadlines = await this.fireDueDeadlines(100);
    const commands = await this.dispatchPending(100);
    return {
      processed: events.processed + deadlines + commands,
      parked: events.parked,
      // A command just sent may have appended the next event of this saga (a step that answers
      // at once): go round again instead of sleeping until the poll, whose wake-up came too early.
      caughtUp: events.caughtUp && deadlines === 0 && commands === 0,
    };
  }

  // ---- events ---------------------------------------------------------------------------

  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    for (const e of events) await this.applyEvent(tx, e);
  }

  /** The admin's retry of a parked stream: each event applied though the instance may have moved past it. */
  override async replay(events: RecordedEvent[], tx: PoolClient): Promise<void> {
    for (const e of events) await this.applyEvent(tx, e, true);
  }

  override onParked(e: RecordedEvent, err: string): void {
    this.logger.warn({ eventId: e.eventId, type: e.type, err }, 'saga event parked');
  }

  /**
   * Applies one event to its instance inside `tx`. An event at or before the instance's last
   * applied position is a redelivery and skipped, except when an admin replays a parked event
   * (`replay`): that one was never applied, though the instance may have moved past it.
   */
  async applyEvent(tx: PoolClient, e: RecordedEvent, replay = false): Promise<void> {
    const handler = this.saga.on[e.type];
    if (!handler) return;
    const instanceId = handler.instanceOf(e);
    if (instanceId === null || instanceId === undefined) return;
    const res = await tx.query(
      `SELECT status, state, last_tx::text AS last_tx, last_pos,
              (last_tx, last_pos) >= ($3::xid8, $4::bigint) AS already_applied
         FROM saga_instances WHERE saga = $1 AND instance_id = $2 FOR UPDATE`,
      [this.saga.name, instanceId, e.transactionId, e.globalPosition],
    );
    const row = res.rows[0];
    if (row && ((row.already_applied && !replay) || row.status === 'completed')) return;
    const reaction = handler.react(row ? row.state : null, e);
    if (!row && reaction.state === null && !reaction.commands?.length && !reaction.schedule?.length) return;
    await this.write(tx, instanceId, !!row, reaction, { transactionId: e.transactionId, globalPosition: e.globalPosition }, {
      seed: e.eventId,
      workspaceId: e.workspaceId,
      correlationId: e.correlationId,
      causationId: e.eventId,
    });
  }

  private async write(
    tx: PoolClient,
    instanceId: string,
    exists: boolean,
    reaction: SagaReaction<unknown>,
    position: Checkpoint | null,
    cause: Cause,
  ): Promise<void> {
    const status = reaction.state === null ? 'completed' : 'active';
    if (exists) {
      await tx.query(
        `UPDATE saga_instances
            SET state = $3, status = $4, version = version + 1, updated_at = now(),
                last_tx = CASE WHEN ($5::xid8, $6::bigint) > (last_tx, last_pos) THEN $5::xid8 ELSE last_tx END,
                last_pos = CASE WHEN ($5::xid8, $6::bigint) > (last_tx, last_pos) THEN $6::bigint ELSE last_pos END
          WHERE saga = $1 AND instance_id = $2`,
        [this.saga.name, instanceId, JSON.stringify(reaction.state), status, position?.transactionId ?? null, position?.globalPosition ?? null],
      );
    } else {
      await tx.query(
        `INSERT INTO saga_instances (saga, instance_id, workspace_id, state, status, version, last_tx, last_pos)
         VALUES ($1, $2, $3, $4, $5, 1, $6::xid8, $7)`,
        [this.saga.name, instanceId, cause.workspaceId, JSON.stringify(reaction.state), status, position!.transactionId, position!.globalPosition],
      );
    }
    const commands = reaction.commands ?? [];
    for (let i = 0; i < commands.length; i++) await this.enqueueCommand(tx, instanceId, commands[i], i, cause);
    if (status === 'completed') {
      await tx.query(`UPDATE saga_deadlines SET status = 'cancelled' WHERE saga = $1 AND instance_id = $2 AND status = 'pending'`, [
        this.saga.name,
        instanceId,
      ]);
      return;
    }
    if (reaction.cancel?.length) {
      await tx.query(
        `UPDATE saga_deadlines SET status = 'cancelled' WHERE saga = $1 AND instance_id = $2 AND status = 'pending' AND name = ANY($3)`,
        [this.saga.name, instanceId, reaction.cancel],
      );
    }
    for (const d of reaction.schedule ?? []) {
      if (!(d.at instanceof Date) || Number.isNaN(d.at.getTime())) throw new Error(`Saga ${this.saga.name} scheduled ${d.name} at an invalid time`);
      await tx.query(
        `INSERT INTO saga_deadlines (id, saga, instance_id, name, due_at, data)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (saga, instance_id, name) WHERE status = 'pending'
         DO UPDATE SET due_at = EXCLUDED.due_at, data = EXCLUDED.data, attempts = 0, last_error = NULL`,
        [uuidv5(`${this.saga.name}|${cause.seed}|deadline|${d.name}`, SAGA_NAMESPACE), this.saga.name, instanceId, d.name, d.at, JSON.stringify(d.data ?? {})],
      );
    }
  }

  private async enqueueCommand(tx: PoolClient, instanceId: string, c: SagaCommand, index: number, cause: Cause): Promise<void> {
    // Derived from the cause: the same event (or deadline) always yields the same command ids.
    const commandId = uuidv5(`${this.saga.name}|${cause.seed}|${index}`, SAGA_NAMESPACE);
    await tx.query(
      `INSERT INTO saga_commands (command_id, saga, instance_id, workspace_id, correlation_id, causation_id, command_type, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (command_id) DO NOTHING`,
      [commandId, this.saga.name, instanceId, cause.workspaceId, cause.correlationId, cause.causationId, c.type, JSON.stringify(c.data)],
    );
  }

  // ---- deadlines ------------------------------------------------------------------------

  /** Fires due deadlines, each in its own transaction with the instance's new state. */
  private async fireDueDeadlines(limit: number): Promise<number> {
    if (!this.saga.onDeadline) return 0;
    const now = this.now();
    const due = await this.deps.pool.query<{ id: string }>(
      `SELECT id FROM saga_deadlines WHERE saga = $1 AND status = 'pending' AND due_at <= $2 ORDER BY due_at LIMIT $3`,
      [this.saga.name, now, limit],
    );
    for (const { id } of due.rows) {
      try {
        await inTransaction(this.deps.pool, (tx) => this.fireDeadline(tx, id, now));
      } catch (err) {
        const res = await this.deps.pool.query<{ attempts: number }>(
          `UPDATE saga_deadlines
              SET attempts = attempts + 1, last_error = $2,
                  status = CASE WHEN attempts + 1 >= $3 THEN 'failed' ELSE status END,
                  due_at = now() + make_interval(secs => $4::double precision * power(2, attempts))
            WHERE id = $1 RETURNING attempts`,
          [id, errorText(err), this.sagaOptions.maxAttempts, this.sagaOptions.backoffMs / 1000],
        );
        this.logger.error({ deadlineId: id, attempts: res.rows[0]?.attempts, err: errorText(err) }, 'saga deadline failed');
      }
    }
    return due.rows.length;
  }

  private async fireDeadline(tx: PoolClient, id: string, now: Date): Promise<void> {
    const res = await tx.query(
      `SELECT d.id, d.instance_id, d.name, d.due_at, d.data, i.state, i.status AS instance_status, i.workspace_id
         FROM saga_deadlines d JOIN saga_instances i ON i.saga = d.saga AND i.instance_id = d.instance_id
        WHERE d.id = $1 AND d.status = 'pending'
        FOR UPDATE OF d, i`,
      [id],
    );
    const row = res.rows[0];
    if (!row) return; // fired, moved or cancelled meanwhile
    if (row.instance_status !== 'active') {
      await tx.query(`UPDATE saga_deadlines SET status = 'cancelled' WHERE id = $1`, [id]);
      return;
    }
    const deadline: DueDeadline = { id: row.id, name: row.name, dueAt: row.due_at, data: row.data };
    const reaction = this.saga.onDeadline!(row.state, deadline, now);
    // Mark it fired first: the reaction may schedule a new deadline of the same name.
    await tx.query(`UPDATE saga_deadlines SET status = 'fired', fired_at = now() WHERE id = $1`, [id]);
    await this.write(tx, row.instance_id, true, reaction, null, {
      seed: `deadline:${id}`,
      workspaceId: row.workspace_id,
      correlationId: null,
      causationId: `deadline:${id}`,
    });
  }

  // ---- outgoing commands ------------------------------------------------------------------

  private async dispatchPending(limit: number): Promise<number> {
    const pending = await this.deps.pool.query(
      `SELECT command_id, instance_id, workspace_id, correlation_id, causation_id, command_type, data, attempts, created_at
         FROM saga_commands WHERE saga = $1 AND status = 'pending' AND next_attempt_at <= now()
        ORDER BY created_at, command_id LIMIT $2`,
      [this.saga.name, limit],
    );
    const lanes = Math.min(this.saga.commandConcurrency ?? 1, pending.rows.length);
    let next = 0;
    // Each lane takes the next command in order; with one lane, one after another as sent.
    await Promise.all(Array.from({ length: lanes }, async () => {
      while (next < pending.rows.length) await this.dispatch(pending.rows[next++]);
    }));
    return pending.rows.length;
  }

  private async dispatch(c: any): Promise<void> {
    const route = this.routes.get(c.command_type);
    if (!route) {
      await this.markCommand(c.command_id, 'failed', `No route for saga command ${c.command_type}`);
      return;
    }
    try {
      const result = await route(c.data, {
        commandId: c.command_id,
        idempotencyKey: `saga:${c.command_id}`,
        workspaceId: c.workspace_id,
        actorId: `saga:${this.saga.name}`,
        correlationId: c.correlation_id ?? c.command_id,
        now: c.created_at,
      });
      await this.markCommand(c.command_id, 'dispatched', null, result);
    } catch (err) {
      // A business rule's refusal will not change by retrying; anything else may be transient.
      const final = err instanceof ApplicationError && !(err instanceof ConcurrencyError);
      if (final || c.attempts + 1 >= this.sagaOptions.commandAttempts) {
        await this.markCommand(c.command_id, final ? 'rejected' : 'failed', errorText(err));
        this.logger.warn({ commandId: c.command_id, type: c.command_type, err: errorText(err) }, `saga command ${final ? 'rejected' : 'failed'}`);
      } else {
        await this.deps.pool.query(
          `UPDATE saga_commands SET attempts = attempts + 1, last_error = $2,
                  next_attempt_at = now() + make_interval(secs => $3::double precision * power(2, attempts))
            WHERE command_id = $1`,
          [c.command_id, errorText(err), this.sagaOptions.backoffMs / 1000],
        );
      }
    }
  }

  private async markCommand(id: string, status: 'dispatched' | 'rejected' | 'failed', error: string | null, result?: unknown): Promise<void> {
    await this.deps.pool.query(
      `UPDATE saga_commands SET status = $2, last_error = $3, result = $4, attempts = attempts + 1,
              dispatched_at = CASE WHEN $2 = 'dispatched' THEN now() ELSE dispatched_at END
        WHERE command_id = $1`,
      [id, status, error, result === undefined ? null : JSON.stringify(safeJson(result))],
    );
  }
}

function safeJson(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value));
  } catch {
    return null;
  }
}
