import { Pool, PoolClient } from 'pg';
import { Checkpoint, Queryable } from '@libs/event-store/event-store.types';

export type SubscriptionStatus = 'running' | 'failing' | 'rebuilding' | 'stopped';

export interface SubscriptionState {
  name: string;
  kind: string;
  checkpoint: Checkpoint;
  status: SubscriptionStatus;
  lastError: string | null;
  eventsProcessed: number;
  holder: string | null;
  rebuildRequestedAt: Date | null;
  updatedAt: Date;
}

export class CheckpointMovedError extends Error {}

function toState(r: any): SubscriptionState {
  return {
    name: r.name,
    kind: r.kind,
    checkpoint: { transactionId: r.last_tx, globalPosition: Number(r.last_pos) },
    status: r.status,
    lastError: r.last_error,
    eventsProcessed: Number(r.events_processed),
    holder: r.holder,
    rebuildRequestedAt: r.rebuild_requested_at,
    updatedAt: r.updated_at,
  };
}

const COLUMNS = `name, kind, last_tx::text AS last_tx, last_pos, status, last_error, events_processed, holder, rebuild_requested_at, updated_at`;

/** The subscription_checkpoints table: one row per named consumer. */
export class SubscriptionCheckpoints {
  constructor(private readonly pool: Pool) {}

  async ensure(name: string, kind: string): Promise<SubscriptionState> {
    await this.pool.query(`INSERT INTO subscription_checkpoints (name, kind) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, kind]);
    return (await this.get(name))!;
  }

  async get(name: string, db: Queryable = this.pool): Promise<SubscriptionState | null> {
    const res = await db.query(`SELECT ${COLUMNS} FROM subscription_checkpoints WHERE name = $1`, [name]);
    return res.rows[0] ? toState(res.rows[0]) : null;
  }

  async list(): Promise<SubscriptionState[]> {
    const res = await this.pool.query(`SELECT ${COLUMNS} FROM subscription_checkpoints ORDER BY name`);
    return res.rows.map(toState);
  }

  /**
   * Locks the row and checks nobody moved the checkpoint since we read it: the fencing that
   * keeps two processes that both believe they hold the lease from applying a batch twice.
   */
  async lockAt(tx: PoolClient, name: string, expected: Checkpoint): Promise<void> {
    const res = await tx.query(
      `SELECT last_tx::text AS last_tx, last_pos FROM subscription_checkpoints WHERE name = $1 FOR UPDATE`,
      [name],
    );
    const row = res.rows[0];
    if (!row || row.last_tx !== expected.transactionId || Number(row.last_pos) !== expected.globalPosition) {
      throw new CheckpointMovedError(`Checkpoint of ${name} moved: another process is running it`);
    }
  }

  async advance(tx: Queryable, name: string, to: Checkpoint, processed: number, holder: string): Promise<void> {
    await tx.query(
      `UPDATE subscription_checkpoints
          SET last_tx = $2::xid8, last_pos = $3, events_processed = events_processed + $4, holder = $5,
              status = CASE WHEN status = 'failing' THEN 'running' ELSE status END,
              updated_at = now()
        WHERE name = $1`,
      [name, to.transactionId, to.globalPosition, processed, holder],
    );
  }

  async setStatus(name: string, status: SubscriptionStatus, lastError: string | null = null): Promise<void> {
    await this.pool.query(
      `UPDATE subscription_checkpoints SET status = $2, last_error = coalesce($3, last_error), updated_at = now() WHERE name = $1`,
      [name, status, lastError],
    );
  }

  async requestRebuild(name: string): Promise<void> {
    await this.pool.query(`UPDATE subscription_checkpoints SET rebuild_requested_at = now(), updated_at = now() WHERE name = $1`, [name]);
  }

  async resetAfterRebuild(tx: Queryable, name: string, to: Checkpoint, processed: number): Promise<void> {
    await tx.query(
      `UPDATE subscription_checkpoints
          SET last_tx = $2::xid8, last_pos = $3, events_processed = $4, status = 'running',
              last_error = NULL, rebuild_requested_at = NULL, updated_at = now()
        WHERE name = $1`,
      [name, to.transactionId, to.globalPosition, processed],
    );
  }
}
