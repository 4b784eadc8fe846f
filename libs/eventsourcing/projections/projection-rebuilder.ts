import { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { Checkpoint, START_OF_LOG } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { SubscriptionCheckpoints } from '../subscriptions/subscription-checkpoints';
import { inTransaction } from '../subscriptions/transaction';
import { applyRowProjection, RowProjection } from './row-projection';

export interface RebuildProgress {
  rebuildId: string;
  projection: string;
  eventsDone: number;
  eventsTotal: number;
  ratePerSecond: number;
  etaSeconds: number | null;
}

export interface RebuildRecord {
  id: string;
  projection: string;
  status: 'pending' | 'running' | 'completed' | 'failed';
  trigger: string;
  eventsTotal: number | null;
  eventsDone: number;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Blue/green rebuild: replay the whole log into a shadow copy of the read model with the same
 * set-based code as incremental processing, then, under an exclusive lock, apply what arrived
 * meanwhile and swap the tables in one transaction. Readers see the old table until the swap.
 * Only read models are touched: sagas and other side effects are separate consumers and never
 * run during a rebuild.
 */
export class ProjectionRebuilder {
  constructor(
    private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly checkpoints: SubscriptionCheckpoints,
    private readonly batchSize = 5_000,
  ) {}

  async request(projection: string, trigger: string): Promise<string> {
    const id = uuidv7();
    await this.pool.query(`INSERT INTO projection_rebuilds (id, projection, status, trigger) VALUES ($1, $2, 'pending', $3)`, [id, projection, trigger]);
    return id;
  }

  async pendingFor(projection: string): Promise<string | null> {
    const res = await this.pool.query<{ id: string }>(
      `SELECT id FROM projection_rebuilds WHERE projection = $1 AND status = 'pending' ORDER BY created_at LIMIT 1`,
      [projection],
    );
    return res.rows[0]?.id ?? null;
  }

  async list(projection?: string, limit = 20): Promise<RebuildRecord[]> {
    const res = await this.pool.query(
      `SELECT * FROM projection_rebuilds WHERE ($1::text IS NULL OR projection = $1) ORDER BY created_at DESC LIMIT $2`,
      [projection ?? null, limit],
    );
    return res.rows.map((r) => ({
      id: r.id,
      projection: r.projection,
      status: r.status,
      trigger: r.trigger,
      eventsTotal: r.events_total === null ? null : Number(r.events_total),
      eventsDone: Number(r.events_done),
      error: r.error,
      createdAt: r.created_at,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
    }));
  }

  async rebuild(projection: RowProjection<any>, rebuildId: string, onProgress?: (p: RebuildProgress) => void | Promise<void>): Promise<void> {
    const shadow = `${projection.table}__rebuild`;
    const started = Date.now();
    try {
      const total = await this.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM events WHERE $1::text[] IS NULL OR event_type = ANY($1)`,
        [projection.eventTypes ?? null],
      );
      const eventsTotal = Number(total.rows[0].n);
      await this.pool.query(
        `UPDATE projection_rebuilds SET status = 'running', started_at = now(), events_total = $2 WHERE id = $1`,
        [rebuildId, eventsTotal],
      );
      if (projection.mode === 'async') await this.checkpoints.setStatus(projection.name, 'rebuilding');
      await this.pool.query(`DROP TABLE IF EXISTS ${ident(shadow)}`);
      // UNLOGGED while it fills (no WAL for a table nobody reads yet); made LOGGED in the swap
      // transaction, so a crash before the swap loses only the shadow, never the live table.
      await this.pool.query(`CREATE UNLOGGED TABLE ${ident(shadow)} (LIKE ${ident(projection.table)} INCLUDING ALL)`);

      let at: Checkpoint = START_OF_LOG;
      let done = 0;
      let lastReport = 0;
      for (;;) {
        const page = await this.store.readAll({ after: at, limit: this.batchSize, eventTypes: projection.eventTypes });
        if (page.events.length) {
          await inTransaction(this.pool, (tx) => applyRowProjection(projection, page.events, tx, shadow));
          done += page.events.length;
        }
        at = page.checkpoint;
        if (Date.now() - lastReport > 500 || page.events.length < this.batchSize) {
          lastReport = Date.now();
          const rate = done / Math.max((Date.now() - started) / 1000, 0.001);
          await this.pool.query(`UPDATE projection_rebuilds SET events_done = $2, events_total = greatest(events_total, $2) WHERE id = $1`, [rebuildId, done]);
          await onProgress?.({
            rebuildId,
            projection: projection.name,
            eventsDone: done,
            eventsTotal: Math.max(eventsTotal, done),
            ratePerSecond: Math.round(rate),
            etaSeconds: rate > 0 ? Math.max(0, Math.round((eventsTotal - done) / rate)) : null,
          });
        }
        if (page.events.length < this.batchSize) break;
      }

      // Swap: nobody writes the live table while we apply the tail and rename.
      await inTransaction(this.pool, async (tx) => {
        await tx.query(`LOCK TABLE ${ident(projection.table)} IN ACCESS EXCLUSIVE MODE`);
        for (;;) {
          const page = await this.store.readAll({ after: at, limit: this.batchSize, eventTypes: projection.eventTypes }, tx);
          if (page.events.length) await applyRowProjection(projection, page.events, tx, shadow);
          done += page.events.length;
          at = page.checkpoint;
          if (page.events.length < this.batchSize) break;
        }
        await tx.query(`ALTER TABLE ${ident(shadow)} SET LOGGED`);
        const old = `${projection.table}__old`;
        await tx.query(`DROP TABLE IF EXISTS ${ident(old)}`);
        await tx.query(`ALTER TABLE ${ident(projection.table)} RENAME TO ${ident(old)}`);
        await tx.query(`ALTER TABLE ${ident(shadow)} RENAME TO ${ident(projection.table)}`);
        await tx.query(`DROP TABLE ${ident(old)}`);
        if (projection.mode === 'async') await this.checkpoints.resetAfterRebuild(tx, projection.name, at, done);
        await tx.query(
          `UPDATE projection_rebuilds SET status = 'completed', events_done = $2, finished_at = now() WHERE id = $1`,
          [rebuildId, done],
        );
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.pool.query(`UPDATE projection_rebuilds SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, [rebuildId, message]);
      if (projection.mode === 'async') await this.checkpoints.setStatus(projection.name, 'running', `rebuild failed: ${message}`);
      await this.pool.query(`DROP TABLE IF EXISTS ${ident(shadow)}`).catch(() => undefined);
      throw err;
    }
  }
}
