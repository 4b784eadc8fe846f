import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { z } from 'zod';
import { cursorCodec, cursorPart } from '@libs/common/pagination/cursor';
import { PG_POOL } from '@libs/database/database-backend';
import type { SourceRow } from '@modules/ingestion/projections/sources.projection';

export interface MessageFilter {
  q?: string;
  sourceId?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

/** Keyset of the message list: (sent_at as PostgreSQL prints it, exact to the microsecond; id). */
const messageCursor = cursorCodec('ingestion.messages', z.tuple([cursorPart.timestamp, cursorPart.uuid]));

const messageColumns = `id, source_id AS "sourceId", source_kind AS "sourceKind", external_id AS "externalId", content, sent_at AS "sentAt",
  channel_id AS "channelId", channel_name AS "channelName", thread_id AS "threadId", is_reply AS "isReply", conversation_id AS "conversationId",
  json_build_object('name', author_name, 'email', author_email, 'externalId', author_external_id) AS author, title,
  to_addresses AS "to", cc_addresses AS "cc", email, metadata, processing_state AS "processingState",
  noise_classification AS "noiseClassification", noise_factors AS "noiseFactors", importance_score AS "importanceScore",
  edited_at AS "editedAt", deleted_at AS "deletedAt", created_at AS "ingestedAt", sent_at::text AS sent_at_text`;

/** Every read query of ingestion, in one place. */
@Injectable()
export class IngestionQueries {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async source(workspaceId: string, sourceId: string): Promise<SourceRow | null> {
    const r = await this.pool.query(`SELECT * FROM ingestion_sources_view WHERE id = $1 AND workspace_id = $2`, [sourceId, workspaceId]);
    return r.rows[0] ?? null;
  }

  /** For webhooks: the path names the source; the workspace comes from it. */
  async sourceById(sourceId: string): Promise<SourceRow | null> {
    const r = await this.pool.query(`SELECT * FROM ingestion_sources_view WHERE id = $1`, [sourceId]);
    return r.rows[0] ?? null;
  }

  async sourceByName(workspaceId: string, kind: string, name: string): Promise<SourceRow | null> {
    const r = await this.pool.query(`SELECT * FROM ingestion_sources_view WHERE workspace_id = $1 AND kind = $2 AND name = $3 ORDER BY created_at LIMIT 1`, [workspaceId, kind, name]);
    return r.rows[0] ?? null;
  }

  async sources(workspaceId: string): Promise<SourceRow[]> {
    const r = await this.pool.query(`SELECT * FROM ingestion_sources_view WHERE workspace_id = $1 ORDER BY created_at`, [workspaceId]);
    return r.rows;
  }

  async job(workspaceId: string, jobId: string) {
    const r = await this.pool.query(`SELECT * FROM ingestion_jobs_view WHERE id = $1 AND workspace_id = $2`, [jobId, workspaceId]);
    return r.rows[0] ?? null;
  }

  /** Keyset pages, newest first: (sent_at, id) < cursor. */
  async messages(workspaceId: string, f: MessageFilter) {
    const [afterAt, afterId] = f.cursor ? messageCursor.decode(f.cursor) : [null, null];
    const r = await this.pool.query(
      `SELECT ${messageColumns} FROM ingestion_messages_view
        WHERE workspace_id = $1 AND processing_state <> 'deleted'
          AND ($2::uuid IS NULL OR source_id = $2)
          AND ($3::timestamptz IS NULL OR sent_at >= $3)
          AND ($4::timestamptz IS NULL OR sent_at < $4)
          AND ($5::text IS NULL OR search @@ websearch_to_tsquery('simple', $5))
          AND ($6::timestamptz IS NULL OR (sent_at, id) < ($6::timestamptz, $7::uuid))
        ORDER BY sent_at DESC, id DESC LIMIT $8`,
      [workspaceId, f.sourceId ?? null, f.from ?? null, f.to ?? null, f.q ?? null, afterAt, afterId, f.limit + 1],
    );
    const rows = r.rows.slice(0, f.limit);
    const last = rows[rows.length - 1];
    return {
      items: rows.map(({ sent_at_text: _t, ...m }) => m),
      nextCursor: r.rows.length > f.limit && last ? messageCursor.encode([last.sent_at_text, last.id]) : null,
    };
  }

  async message(workspaceId: string, messageId: string) {
    const r = await this.pool.query(`SELECT ${messageColumns}, raw FROM ingestion_messages_view WHERE id = $1 AND workspace_id = $2`, [messageId, workspaceId]);
    if (!r.rows[0]) return null;
    const { sent_at_text: _t, ...m } = r.rows[0];
    return m;
  }
}
