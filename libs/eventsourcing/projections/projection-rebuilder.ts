import { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { Checkpoint, START_OF_LOG } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import { inTransaction } from '@libs/eventsourcing/subscriptions/transaction';
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
      const deferred = await this.createShadow(projection, shadow);

      let at: Checkpoint = START_OF_LOG;
      let done = 0;
      let lastReport = 0;
      const read = (after: Checkpoint) => this.store.readAll({ after, limit: this.batchSize, eventTypes: projection.eventTypes });
      let next = read(at);
      for (;;) {
        const page = await next;
        // The next page is read while this one is applied (on a server, in parallel on another connection).
        if (page.events.length >= this.batchSize) {
          next = read(page.checkpoint);
          next.catch(() => undefined); // awaited on the next round; a failure here is that round's
        }
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

      await this.finishShadow(shadow, deferred);

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

  /**
   * The shadow fills UNLOGGED (no WAL for a table nobody reads yet; a crash before the swap
   * loses only the shadow, never the live table), with only the key's unique index (the upsert
   * needs it) and half-empty pages: every update then stays on its page (HOT) and touches no
   * index. Answers the statements that build the other indexes, run once it is filled.
   */
  private async createShadow(projection: RowProjection<any>, shadow: string): Promise<string[]> {
    const live = ident(projection.table);
    const indexes = await this.pool.query<{ indexdef: string; condef: string | null; is_key: boolean }>(
      `SELECT pg_get_indexdef(i.indexrelid) AS indexdef, pg_get_constraintdef(con.oid) AS condef,
              (i.indisunique AND i.indnatts = 1 AND i.indexprs IS NULL AND i.indpred IS NULL AND a.attname = $2) AS is_key
         FROM pg_index i
         LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x') AND con.conrelid = i.indrelid
         LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indrelid = $1::regclass
        ORDER BY i.indisprimary DESC, i.indexrelid`,
      [live, projection.keyColumn],
    );
    const keyIndex = indexes.rows.find((r) => r.is_key);
    if (!keyIndex) {
      // No single-column unique index on the key to upsert against: copy every index up front.
      await this.pool.query(`CREATE UNLOGGED TABLE ${ident(shadow)} (LIKE ${live} INCLUDING ALL)`);
      return [];
    }
    const rebuild = (r: { indexdef: string; condef: string | null }) =>
      r.condef !== null
        ? `ALTER TABLE ${ident(shadow)} ADD ${r.condef}`
        : // "CREATE [UNIQUE] INDEX name ON schema.table USING ...": the same index on the shadow, under a name PostgreSQL picks.
          `${r.indexdef.startsWith('CREATE UNIQUE') ? 'CREATE UNIQUE INDEX' : 'CREATE INDEX'} ON ${ident(shadow)}${r.indexdef.slice(r.indexdef.indexOf(' USING '))}`;
    await this.pool.query(`CREATE UNLOGGED TABLE ${ident(shadow)} (LIKE ${live} INCLUDING ALL EXCLUDING INDEXES) WITH (fillfactor = 50)`);
    await this.pool.query(rebuild(keyIndex));
    return indexes.rows.filter((r) => r !== keyIndex).map(rebuild);
  }

  /**
   * Before the swap's lock, so readers and writers of the live table never wait for it: packed
   * pages again, LOGGED (which rewrites the table without the dead row versions of the fill),
   * then the other indexes, each built once over the final rows.
   */
  private async finishShadow(shadow: string, deferredIndexes: string[]): Promise<void> {
    await this.pool.query(`ALTER TABLE ${ident(shadow)} RESET (fillfactor)`);
    await this.pool.query(`ALTER TABLE ${ident(shadow)} SET LOGGED`);
    for (const statement of deferredIndexes) await this.pool.query(statement);
    await this.pool.query(`ANALYZE ${ident(shadow)}`);
  }
}
