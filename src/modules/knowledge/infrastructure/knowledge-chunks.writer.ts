import { PoolClient } from 'pg';
import { KnowledgeMessage, MessageChunk, messageEvidenceIdOf, snippetOf } from '@modules/knowledge/domain/chunking/knowledge-message';

/** The text search configuration (SEARCH_TEXT_CONFIG) every tsvector of knowledge is built with. */
export const evidenceSearchText = (cfg: string, title: string, content: string, people: string) =>
  `setweight(to_tsvector(${cfg}, coalesce(${title}, '')), 'A') || setweight(to_tsvector(${cfg}, ${content}), 'B') || setweight(to_tsvector(${cfg}, ${people}), 'C')`;

/** Author and channel names: the C weight of an evidence item's search_text. */
export const evidencePeople = (author: string, channel: string) => `coalesce(${author}, '') || ' ' || coalesce(${channel}, '')`;

interface EvidenceRow {
  message_id: string;
  workspace_id: string;
  source_id: string;
  source_kind: string;
  external_id: string;
  external_url: string | null;
  channel_id: string | null;
  channel_name: string | null;
  conversation_id: string | null;
  author_subject_id: string | null;
  author_name: string | null;
  author_external_id: string | null;
  occurred_at: Date;
  title: string | null;
  content: string;
}

/**
 * The writes of the `knowledge.chunking` consumer, set-based (one statement per kind of change
 * for a whole batch), inside the consumer's transaction. Lock order, shared with the erasure hook
 * and the embedding worker: evidence rows, then chunk rows, each by id.
 */
export class KnowledgeChunksWriter {
  constructor(private readonly textConfig: string) {}

  /** The messages knowledge already has, locked for the batch. */
  async lockMessages(tx: PoolClient, messageIds: string[]): Promise<Map<string, KnowledgeMessage>> {
    if (messageIds.length === 0) return new Map();
    const r = await tx.query<EvidenceRow>(
      `SELECT message_id, workspace_id, source_id, source_kind, external_id, external_url, channel_id, channel_name, conversation_id,
              author_subject_id, author_name, author_external_id, occurred_at, title, content
         FROM knowledge_evidence_items WHERE kind = 'message' AND message_id = ANY($1::uuid[])
        ORDER BY id FOR UPDATE`,
      [messageIds],
    );
    await tx.query(`SELECT 1 FROM knowledge_rag_chunks WHERE message_id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [messageIds]);
    return new Map(
      r.rows.map((row) => [
        row.message_id,
        {
          messageId: row.message_id,
          workspaceId: row.workspace_id,
          sourceId: row.source_id,
          sourceKind: row.source_kind,
          externalId: row.external_id,
          externalUrl: row.external_url,
          channelId: row.channel_id,
          channelName: row.channel_name,
          conversationId: row.conversation_id,
          authorSubjectId: row.author_subject_id,
          authorName: row.author_name,
          authorExternalId: row.author_external_id,
          sentAt: row.occurred_at.toISOString(),
          title: row.title,
          content: row.content,
        },
      ]),
    );
  }

  /**
   * Stores messages and their chunks. A chunk whose text hash did not change keeps its embedding
   * and status (an edit elsewhere in the message costs nothing); a changed one goes back to
   * pending; chunks past the new count are deleted. Answers how many chunks became pending.
   */
  async upsert(tx: PoolClient, messages: { message: KnowledgeMessage; chunks: MessageChunk[] }[]): Promise<number> {
    if (messages.length === 0) return 0;
    const evidence = messages.map(({ message: m }) => ({
      id: messageEvidenceIdOf(m.messageId),
      workspace_id: m.workspaceId,
      message_id: m.messageId,
      source_id: m.sourceId,
      source_kind: m.sourceKind,
      channel_id: m.channelId,
      channel_name: m.channelName,
      conversation_id: m.conversationId,
      external_id: m.externalId,
      external_url: m.externalUrl,
      author_subject_id: m.authorSubjectId,
      author_name: m.authorName,
      author_external_id: m.authorExternalId,
      occurred_at: m.sentAt,
      title: m.title,
      content: m.content,
      snippet: snippetOf(m.content || m.title || ''),
    }));
    await tx.query(
      `INSERT INTO knowledge_evidence_items AS e
              (id, workspace_id, kind, message_id, source_id, source_kind, channel_id, channel_name, conversation_id, external_id, external_url,
               author_subject_id, author_name, author_external_id, occurred_at, title, content, snippet, search_text, metadata)
       SELECT r.id, r.workspace_id, 'message', r.message_id, r.source_id, r.source_kind, r.channel_id, r.channel_name, r.conversation_id, r.external_id, r.external_url,
              r.author_subject_id, r.author_name, r.author_external_id, r.occurred_at, r.title, r.content, r.snippet,
              ${evidenceSearchText('$2::regconfig', 'r.title', 'r.content', evidencePeople('r.author_name', 'r.channel_name'))},
              jsonb_build_object('externalId', r.external_id, 'channelId', r.channel_id, 'conversationId', r.conversation_id, 'externalUrl', r.external_url)
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, workspace_id uuid, message_id uuid, source_id uuid, source_kind text, channel_id text, channel_name text,
              conversation_id text, external_id text, external_url text, author_subject_id text, author_name text, author_external_id text,
              occurred_at timestamptz, title text, content text, snippet text)
       ON CONFLICT (id) DO UPDATE SET
              source_id = EXCLUDED.source_id, source_kind = EXCLUDED.source_kind, channel_id = EXCLUDED.channel_id, channel_name = EXCLUDED.channel_name,
              conversation_id = EXCLUDED.conversation_id, external_id = EXCLUDED.external_id, external_url = EXCLUDED.external_url,
              author_subject_id = EXCLUDED.author_subject_id, author_name = EXCLUDED.author_name, author_external_id = EXCLUDED.author_external_id,
              occurred_at = EXCLUDED.occurred_at, title = EXCLUDED.title, content = EXCLUDED.content, snippet = EXCLUDED.snippet,
              search_text = EXCLUDED.search_text, metadata = EXCLUDED.metadata, updated_at = now()`,
      [JSON.stringify(evidence), this.textConfig],
    );

    const chunks = messages.flatMap(({ message: m, chunks }) =>
      chunks.map((c) => ({
        id: c.id,
        workspace_id: m.workspaceId,
        message_id: m.messageId,
        conversation_id: m.conversationId,
        chunk_index: c.index,
        text: c.text,
        text_hash: c.hash,
        content_tokens: c.tokens,
        source_id: m.sourceId,
        source_kind: m.sourceKind,
        channel_id: m.channelId,
        channel_name: m.channelName,
        author_subject_id: m.authorSubjectId,
        author_name: m.authorName,
        author_external_id: m.authorExternalId,
        external_id: m.externalId,
        external_url: m.externalUrl,
        sent_at: m.sentAt,
      })),
    );
    let pending = 0;
    if (chunks.length) {
      const r = await tx.query<{ pending: number }>(
        `WITH up AS (
           INSERT INTO knowledge_rag_chunks AS c
                  (id, workspace_id, message_id, conversation_id, chunk_index, "text", text_hash, content_tokens, source_id, source_kind, channel_id, channel_name,
                   author_subject_id, author_name, author_external_id, external_id, external_url, sent_at, search_vector, embedding_status)
           SELECT r.id, r.workspace_id, r.message_id, r.conversation_id, r.chunk_index, r."text", r.text_hash, r.content_tokens, r.source_id, r.source_kind,
                  r.channel_id, r.channel_name, r.author_subject_id, r.author_name, r.author_external_id, r.external_id, r.external_url, r.sent_at,
                  to_tsvector($2::regconfig, r."text"), 'pending'
             FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, workspace_id uuid, message_id uuid, conversation_id text, chunk_index int, "text" text, text_hash text,
                  content_tokens int, source_id uuid, source_kind text, channel_id text, channel_name text, author_subject_id text, author_name text,
                  author_external_id text, external_id text, external_url text, sent_at timestamptz)
           ON CONFLICT (id) DO UPDATE SET
                  conversation_id = EXCLUDED.conversation_id, "text" = EXCLUDED."text", content_tokens = EXCLUDED.content_tokens,
                  source_id = EXCLUDED.source_id, source_kind = EXCLUDED.source_kind, channel_id = EXCLUDED.channel_id, channel_name = EXCLUDED.channel_name,
                  author_subject_id = EXCLUDED.author_subject_id, author_name = EXCLUDED.author_name, author_external_id = EXCLUDED.author_external_id,
                  external_id = EXCLUDED.external_id, external_url = EXCLUDED.external_url, sent_at = EXCLUDED.sent_at, search_vector = EXCLUDED.search_vector,
                  text_hash = EXCLUDED.text_hash,
                  embedding          = CASE WHEN c.text_hash = EXCLUDED.text_hash THEN c.embedding END,
                  embedding_status   = CASE WHEN c.text_hash = EXCLUDED.text_hash THEN c.embedding_status ELSE 'pending' END,
                  embedding_model    = CASE WHEN c.text_hash = EXCLUDED.text_hash THEN c.embedding_model END,
                  embedding_attempts = CASE WHEN c.text_hash = EXCLUDED.text_hash THEN c.embedding_attempts ELSE 0 END,
                  embedding_error    = CASE WHEN c.text_hash = EXCLUDED.text_hash THEN c.embedding_error END,
                  next_attempt_at    = CASE WHEN c.text_hash = EXCLUDED.text_hash THEN c.next_attempt_at END,
                  last_embedded_at   = CASE WHEN c.text_hash = EXCLUDED.text_hash THEN c.last_embedded_at END,
                  updated_at = now()
           RETURNING embedding_status)
         SELECT count(*) FILTER (WHERE embedding_status = 'pending')::int AS pending FROM up`,
        [JSON.stringify(chunks), this.textConfig],
      );
      pending = r.rows[0].pending;
    }
    await tx.query(
      `DELETE FROM knowledge_rag_chunks c USING jsonb_to_recordset($1::jsonb) AS m(message_id uuid, chunk_count int)
        WHERE c.message_id = m.message_id AND c.chunk_index >= m.chunk_count`,
      [JSON.stringify(messages.map(({ message, chunks }) => ({ message_id: message.messageId, chunk_count: chunks.length })))],
    );
    return pending;
  }

  /** A deleted message leaves nothing behind: not its chunks, not its evidence item. */
  async remove(tx: PoolClient, messageIds: string[]): Promise<void> {
    if (messageIds.length === 0) return;
    await tx.query(`DELETE FROM knowledge_evidence_items WHERE kind = 'message' AND message_id = ANY($1::uuid[])`, [messageIds]);
    await tx.query(`DELETE FROM knowledge_rag_chunks WHERE message_id = ANY($1::uuid[])`, [messageIds]);
  }
}
