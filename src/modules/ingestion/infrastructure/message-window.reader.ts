import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { MessageWindow, MessageWindowPage, MessageWindowPosition, MessageWindowQuery, WindowMessage } from '@modules/ingestion/contracts/message-window';

const columns = (withContent: boolean) => `id, source_id, source_kind, external_id, ${withContent ? 'content' : `'' AS content`}, length(content) AS content_chars, title,
  sent_at, sent_at::text AS sent_at_text, channel_id, channel_name, thread_id, conversation_id, is_reply,
  author_subject_id, author_name, author_email, author_external_id, noise_classification, importance_score`;

function toMessage(r: any): WindowMessage {
  return {
    id: r.id,
    sourceId: r.source_id,
    sourceKind: r.source_kind,
    externalId: r.external_id,
    content: r.content,
    contentChars: Number(r.content_chars),
    title: r.title,
    sentAt: new Date(r.sent_at).toISOString(),
    channelId: r.channel_id,
    channelName: r.channel_name,
    threadId: r.thread_id,
    conversationId: r.conversation_id,
    isReply: r.is_reply,
    author: { subjectId: r.author_subject_id, name: r.author_name, email: r.author_email, externalId: r.author_external_id },
    noiseClassification: r.noise_classification,
    importanceScore: r.importance_score,
  };
}

/** MessageWindow on ingestion_messages_view (keyset on (sent_at, id), the workspace's time index). */
@Injectable()
export class MessageWindowReader extends MessageWindow {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {
    super();
  }

  async page(query: MessageWindowQuery, after: MessageWindowPosition | null, limit: number, options: { includeContent?: boolean } = {}): Promise<MessageWindowPage> {
    const params: unknown[] = [query.workspaceId, query.from, query.to, limit + 1];
    let where = `workspace_id = $1 AND sent_at >= $2 AND sent_at < $3 AND deleted_at IS NULL`;
    if (after) {
      params.push(after.sentAt, after.id);
      where += ` AND (sent_at, id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
    }
    if (query.sourceIds?.length) {
      params.push(query.sourceIds);
      where += ` AND source_id = ANY($${params.length}::uuid[])`;
    }
    if (query.channels?.length) {
      params.push(query.channels);
      where += ` AND (channel_id = ANY($${params.length}::text[]) OR channel_name = ANY($${params.length}::text[]))`;
    }
    const res = await this.pool.query(`SELECT ${columns(options.includeContent !== false)} FROM ingestion_messages_view WHERE ${where} ORDER BY sent_at, id LIMIT $4`, params);
    const rows = res.rows.slice(0, limit);
    const last = rows[rows.length - 1];
    return { items: rows.map(toMessage), next: res.rows.length > limit && last ? { sentAt: last.sent_at_text, id: last.id } : null };
  }

  async byIds(workspaceId: string, ids: readonly string[]): Promise<WindowMessage[]> {
    if (ids.length === 0) return [];
    const res = await this.pool.query(
      `SELECT ${columns(true)} FROM ingestion_messages_view WHERE workspace_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL ORDER BY sent_at, id`,
      [workspaceId, ids],
    );
    return res.rows.map(toMessage);
  }
}
