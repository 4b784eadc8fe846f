import type { Pool } from 'pg';

/**
 * Where a pull sync stands, per source and stream (seed 002 sync_watermarks): a cursor time and
 * id, plus connector state in `meta` (a provider cursor, the page reached). Operational state
 * like a subscription checkpoint, not a fact: it lives in `ingestion_sync_watermarks`, not in
 * the log. Written only AFTER the page it covers is stored, so a crash repeats one page at most
 * (and message ids make the repeat store nothing).
 */
export interface Watermark {
  stream: string;
  cursorTs: string | null;
  cursorId: string | null;
  meta: Record<string, unknown>;
  updatedAt: string;
}

export type WatermarkUpdate = Pick<Watermark, 'cursorTs' | 'cursorId' | 'meta'>;

export class SyncWatermarks {
  constructor(private readonly pool: Pick<Pool, 'query'>) {}

  async get(sourceId: string, stream: string): Promise<Watermark | null> {
    const r = await this.pool.query(
      `SELECT stream, cursor_ts, cursor_id, meta, updated_at FROM ingestion_sync_watermarks WHERE source_id = $1 AND stream = $2`,
      [sourceId, stream],
    );
    return r.rows[0] ? toWatermark(r.rows[0]) : null;
  }

  /** Watermarks of the streams starting with `prefix` (e.g. every conversation of a source). */
  async list(sourceId: string, prefix = ''): Promise<Watermark[]> {
    const r = await this.pool.query(
      `SELECT stream, cursor_ts, cursor_id, meta, updated_at FROM ingestion_sync_watermarks
        WHERE source_id = $1 AND left(stream, length($2)) = $2 ORDER BY stream`,
      [sourceId, prefix],
    );
    return r.rows.map(toWatermark);
  }

  async set(sourceId: string, stream: string, w: WatermarkUpdate): Promise<void> {
    await this.pool.query(
      `INSERT INTO ingestion_sync_watermarks (source_id, stream, cursor_ts, cursor_id, meta, updated_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (source_id, stream) DO UPDATE
          SET cursor_ts = EXCLUDED.cursor_ts, cursor_id = EXCLUDED.cursor_id, meta = EXCLUDED.meta, updated_at = now()`,
      [sourceId, stream, w.cursorTs, w.cursorId, JSON.stringify(w.meta ?? {})],
    );
  }
}

function toWatermark(r: { stream: string; cursor_ts: Date | string | null; cursor_id: string | null; meta: Record<string, unknown> | null; updated_at: Date | string }): Watermark {
  return {
    stream: r.stream,
    cursorTs: r.cursor_ts === null ? null : new Date(r.cursor_ts).toISOString(),
    cursorId: r.cursor_id,
    meta: r.meta ?? {},
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}
