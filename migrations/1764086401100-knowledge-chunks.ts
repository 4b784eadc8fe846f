import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Knowledge: RAG chunks of messages (seed 002 rag_chunks: project_id/account_scope_id are the
 * workspace, message_global_id -> message_id, conversation_global_id -> conversation_id), the
 * embedding space the vectors live in, the embedding cache, and evidence items (seed 002:
 * "normalized evidence index with FTS search (search_text)").
 *
 * Chunks and evidence are kept by the `knowledge.chunking` consumer from `ingestion.message-*`
 * events (a reset and replay rebuilds them); the embedding columns are operational state of the
 * embedding worker.
 *
 * The vector column starts as vector(384) (the offline embedder's default) with its HNSW index;
 * the app's start-up adopts the configured dimension while nothing is embedded, and
 * `npm run cli -- knowledge reembed` switches it later (knowledge_embedding_space says which
 * model and dimension the stored vectors belong to).
 *
 * search_vector / search_text are written by the consumer with SEARCH_TEXT_CONFIG rather than
 * generated: a generated column must name a constant configuration, and queries have to use
 * the same one the vectors were built with. knowledge_embedding_space.text_search_config records
 * it; start-up re-indexes when the setting changes.
 */
export class KnowledgeChunks1764086401100 implements MigrationInterface {
  name = 'KnowledgeChunks1764086401100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE knowledge_rag_chunks (
        id                 uuid PRIMARY KEY,
        workspace_id       uuid NOT NULL,
        message_id         uuid NOT NULL,
        conversation_id    text,
        chunk_index        integer NOT NULL CHECK (chunk_index >= 0),
        text               text NOT NULL,
        text_hash          text NOT NULL,
        content_tokens     integer NOT NULL,
        source_id          uuid NOT NULL,
        source_kind        text NOT NULL,
        channel_id         text,
        channel_name       text,
        author_subject_id  text,
        author_name        text,
        author_external_id text,
        external_id        text NOT NULL,
        external_url       text,
        sent_at            timestamptz NOT NULL,
        search_vector      tsvector NOT NULL,
        embedding          vector(384),
        embedding_status   text NOT NULL DEFAULT 'pending' CHECK (embedding_status IN ('pending', 'processing', 'ready', 'failed')),
        embedding_model    text,
        embedding_attempts integer NOT NULL DEFAULT 0,
        embedding_error    text,
        next_attempt_at    timestamptz,
        last_embedded_at   timestamptz,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT knowledge_rag_chunks_message_chunk_key UNIQUE (message_id, chunk_index)
      )`);
    // The seed's indexes (status + created_at, text_hash, message, conversation), then search and time.
    await q.query(`CREATE INDEX knowledge_rag_chunks_status_idx ON knowledge_rag_chunks (embedding_status, created_at DESC)`);
    await q.query(`CREATE INDEX knowledge_rag_chunks_text_hash_idx ON knowledge_rag_chunks (text_hash)`);
    await q.query(`CREATE INDEX knowledge_rag_chunks_conversation_idx ON knowledge_rag_chunks (conversation_id)`);
    await q.query(`CREATE INDEX knowledge_rag_chunks_ws_sent_idx ON knowledge_rag_chunks (workspace_id, sent_at DESC)`);
    await q.query(`CREATE INDEX knowledge_rag_chunks_author_idx ON knowledge_rag_chunks (author_subject_id)`);
    await q.query(`CREATE INDEX knowledge_rag_chunks_retry_idx ON knowledge_rag_chunks (next_attempt_at) WHERE embedding_status = 'failed'`);
    await q.query(`CREATE INDEX knowledge_rag_chunks_search_idx ON knowledge_rag_chunks USING gin (search_vector)`);
    // m = 24, ef_construction = 128 rather than pgvector's 16/64: conversations repeat themselves
    // (templates, near-identical tickets), and on such data the default graph reached only ~0.85
    // recall@10 against exact search at ef_search 40 (0.95 with these; build ~3x longer). See README.
    await q.query(`CREATE INDEX knowledge_rag_chunks_embedding_idx ON knowledge_rag_chunks USING hnsw (embedding vector_cosine_ops) WITH (m = 24, ef_construction = 128)`);
    // unique(message_id, chunk_index) already indexes message_id as its leading column.

    await q.query(`
      CREATE TABLE knowledge_embedding_space (
        id                 smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        provider           text NOT NULL,
        model              text NOT NULL,
        dimension          integer NOT NULL CHECK (dimension > 0),
        text_search_config text NOT NULL,
        changed_at         timestamptz NOT NULL DEFAULT now()
      )`);

    // Per workspace: a shared cache would let one tenant learn, from its own usage log (no tokens
    // billed), that another tenant already embedded a given text. Per model and dimension: one
    // model can answer in several dimensions (OpenAI's `dimensions`).
    await q.query(`
      CREATE TABLE knowledge_embedding_cache (
        workspace_id uuid NOT NULL,
        model        text NOT NULL,
        dimension    integer NOT NULL,
        text_hash    text NOT NULL,
        embedding    vector NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, model, dimension, text_hash)
      )`);

    await q.query(`
      CREATE TABLE knowledge_evidence_items (
        id                 uuid PRIMARY KEY,
        workspace_id       uuid NOT NULL,
        kind               text NOT NULL,
        message_id         uuid,
        source_id          uuid,
        source_kind        text,
        channel_id         text,
        channel_name       text,
        conversation_id    text,
        external_id        text,
        external_url       text,
        author_subject_id  text,
        author_name        text,
        author_external_id text,
        occurred_at        timestamptz NOT NULL,
        title              text,
        content            text NOT NULL,
        snippet            text NOT NULL,
        search_text        tsvector NOT NULL,
        metadata           jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX knowledge_evidence_message_key ON knowledge_evidence_items (message_id) WHERE kind = 'message'`);
    await q.query(`CREATE INDEX knowledge_evidence_ws_time_idx ON knowledge_evidence_items (workspace_id, occurred_at DESC, id DESC)`);
    await q.query(`CREATE INDEX knowledge_evidence_author_idx ON knowledge_evidence_items (author_subject_id)`);
    await q.query(`CREATE INDEX knowledge_evidence_search_idx ON knowledge_evidence_items USING gin (search_text)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS knowledge_evidence_items, knowledge_embedding_cache, knowledge_embedding_space, knowledge_rag_chunks`);
  }
}
