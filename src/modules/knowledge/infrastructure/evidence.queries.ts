import { Pool } from 'pg';
import { z } from 'zod';
import { cursorCodec, cursorPart } from '@libs/common/pagination/cursor';
import { HEADLINE_START, HEADLINE_STOP } from '@modules/knowledge/domain/search/highlight';

export interface EvidenceFilter {
  q?: string;
  kind?: string;
  sourceId?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

export interface EvidenceRow {
  id: string;
  kind: string;
  message_id: string | null;
  source_id: string | null;
  source_kind: string | null;
  channel_id: string | null;
  channel_name: string | null;
  conversation_id: string | null;
  external_id: string | null;
  external_url: string | null;
  author_subject_id: string | null;
  author_name: string | null;
  occurred_at: Date;
  title: string | null;
  snippet: string;
  /** With q: ts_rank_cd of search_text, and the headline with HEADLINE_START/STOP around matches. */
  score?: number;
  headline?: string;
}

const MAX_RANKED = 10_000;
/** A ranking has no stable key: its pages are offsets (bounded). Without q: the keyset (occurred_at to the microsecond, id). */
const rankedCursor = cursorCodec('knowledge.evidence.ranked', cursorPart.int(1, MAX_RANKED));
const timeCursor = cursorCodec('knowledge.evidence.time', z.tuple([cursorPart.timestamp, cursorPart.uuid]));

const COLUMNS = `e.id, e.kind, e.message_id, e.source_id, e.source_kind, e.channel_id, e.channel_name, e.conversation_id, e.external_id, e.external_url,
  e.author_subject_id, e.author_name, e.occurred_at, e.title, e.snippet`;

/**
 * Evidence items of a workspace: with `q`, a websearch over search_text (title A, content B,
 * author and channel C) ranked by ts_rank_cd with a highlighted headline, paged by offset (a
 * ranking has no stable key); without, newest first, keyset-paged by (occurred_at, id).
 */
export class EvidenceQueries {
  constructor(
    private readonly pool: Pool,
    private readonly textConfig: string,
  ) {}

  async list(workspaceId: string, f: EvidenceFilter): Promise<{ rows: EvidenceRow[]; nextCursor: string | null }> {
    const ranked = !!f.q;
    const params: unknown[] = [workspaceId, f.kind ?? null, f.sourceId ?? null, f.from ?? null, f.to ?? null, f.limit + 1];
    const where = `e.workspace_id = $1 AND ($2::text IS NULL OR e.kind = $2) AND ($3::uuid IS NULL OR e.source_id = $3)
                   AND ($4::timestamptz IS NULL OR e.occurred_at >= $4) AND ($5::timestamptz IS NULL OR e.occurred_at < $5)`;
    if (ranked) {
      // A cursor of the other mode (q added or dropped between pages) is refused, not misread.
      const offset = f.cursor ? rankedCursor.decode(f.cursor) : 0;
      params.push(this.textConfig, f.q, offset);
      const r = await this.pool.query<EvidenceRow>(
        `WITH q AS (SELECT websearch_to_tsquery($7::regconfig, $8) AS query),
         top AS (
           SELECT ${COLUMNS}, e.content, ts_rank_cd(e.search_text, q.query) AS score
             FROM knowledge_evidence_items e, q
            WHERE ${where} AND e.search_text @@ q.query
            ORDER BY score DESC, e.occurred_at DESC, e.id DESC
            LIMIT $6 OFFSET $9)
         SELECT top.*, ts_headline($7::regconfig, replace(replace(coalesce(top.title || E'\\n', '') || top.content, E'\\uE000', ''), E'\\uE001', ''), q.query,
                  'StartSel=${HEADLINE_START}, StopSel=${HEADLINE_STOP}, MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "') AS headline
           FROM top, q ORDER BY top.score DESC, top.occurred_at DESC, top.id DESC`,
        params,
      );
      const rows = r.rows.slice(0, f.limit).map(({ content: _c, ...row }: EvidenceRow & { content?: string }) => ({ ...row, score: Number(row.score) }));
      const next = offset + f.limit;
      return { rows, nextCursor: r.rows.length > f.limit && next <= MAX_RANKED ? rankedCursor.encode(next) : null };
    }
    const [afterAt, afterId] = f.cursor ? timeCursor.decode(f.cursor) : [null, null];
    params.push(afterAt, afterId);
    const r = await this.pool.query<EvidenceRow & { occurred_key: string }>(
      `SELECT ${COLUMNS}, to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_key
         FROM knowledge_evidence_items e
        WHERE ${where} AND ($7::timestamptz IS NULL OR (e.occurred_at, e.id) < ($7::timestamptz, $8::uuid))
        ORDER BY e.occurred_at DESC, e.id DESC
        LIMIT $6`,
      params,
    );
    const rows = r.rows.slice(0, f.limit);
    const last = rows[rows.length - 1];
    return {
      rows: rows.map(({ occurred_key: _k, ...row }) => row),
      nextCursor: r.rows.length > f.limit && last ? timeCursor.encode([last.occurred_key, last.id]) : null,
    };
  }
}
