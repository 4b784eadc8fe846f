import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Knowledge graph read models (seed 003: topics, topic_versions, atoms, atom_versions, topic_atoms,
 * atom_links, messages.topic_id), all rebuilt from the `topic-*`, `atom-*` and
 * `message-topics-*` streams. Ids are uuids scoped by workspace.
 *
 * Row projections key every table on one column, so the seed's composite keys (topic_id,
 * version), (topic_id, atom_id), (from_atom_id, to_atom_id), (message_id, topic_id) are unique
 * indexes beside a text `id` of the joined parts.
 *
 * Embeddings of topics and atoms are untyped `vector` columns: their dimension follows the
 * configured embedder, and `embedding_model` says which space a vector is in (queries compare
 * only vectors of the current model and dimension). They are filled by the
 * `knowledge.graph-embeddings` consumer, not by the projections, and `embedding_text_md5` is the
 * md5 of the text that was embedded, so a row whose text moved on (or a rebuilt row) is found and
 * embedded again. Without a fixed dimension there is no HNSW index: a workspace's atoms are
 * compared exhaustively, which is exact and fast at the scale of a curated graph.
 */
export class KnowledgeGraph1764086401300 implements MigrationInterface {
  name = 'KnowledgeGraph1764086401300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE knowledge_topics_view (
        id                      uuid PRIMARY KEY,
        workspace_id            uuid NOT NULL,
        name                    text NOT NULL,
        description             text NOT NULL DEFAULT '',
        icon                    text,
        color                   text,
        version                 integer NOT NULL,
        approved                boolean NOT NULL DEFAULT false,
        approved_version        integer,
        stream_version          integer NOT NULL,
        created_by              text,
        archived_at             timestamptz,
        created_at              timestamptz NOT NULL,
        updated_at              timestamptz NOT NULL,
        embedding               vector,
        embedding_model         text,
        embedding_text_md5      text,
        embedding_updated_at    timestamptz,
        -- The embedding_updated_at whose classification of the workspace's messages has run.
        classified_embedding_at timestamptz
      )`);
    await q.query(`CREATE INDEX knowledge_topics_ws_name_idx ON knowledge_topics_view (workspace_id, lower(name), id)`);
    await q.query(`
      CREATE TABLE knowledge_topic_versions_view (
        id           text PRIMARY KEY,
        topic_id     uuid NOT NULL,
        workspace_id uuid NOT NULL,
        version      integer NOT NULL,
        data         jsonb NOT NULL,
        changed      jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_by   text,
        approved     boolean NOT NULL DEFAULT false,
        approved_by  text,
        created_at   timestamptz NOT NULL,
        approved_at  timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX knowledge_topic_versions_topic_idx ON knowledge_topic_versions_view (topic_id, version)`);
    await q.query(`
      CREATE TABLE knowledge_atoms_view (
        id                   uuid PRIMARY KEY,
        workspace_id         uuid NOT NULL,
        type                 text NOT NULL CHECK (type IN ('problem', 'solution', 'decision', 'question', 'insight', 'pattern', 'requirement')),
        title                text NOT NULL,
        content              text NOT NULL,
        confidence           double precision CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
        user_approved        boolean NOT NULL DEFAULT false,
        approved_version     integer,
        meta                 jsonb NOT NULL DEFAULT '{}'::jsonb,
        version              integer NOT NULL,
        stream_version       integer NOT NULL,
        created_by           text,
        archived_at          timestamptz,
        created_at           timestamptz NOT NULL,
        updated_at           timestamptz NOT NULL,
        embedding            vector,
        embedding_model      text,
        embedding_text_md5   text,
        embedding_updated_at timestamptz
      )`);
    await q.query(`CREATE INDEX knowledge_atoms_ws_created_idx ON knowledge_atoms_view (workspace_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX knowledge_atoms_title_idx ON knowledge_atoms_view (workspace_id, lower(title))`);
    await q.query(`
      CREATE TABLE knowledge_atom_versions_view (
        id           text PRIMARY KEY,
        atom_id      uuid NOT NULL,
        workspace_id uuid NOT NULL,
        version      integer NOT NULL,
        data         jsonb NOT NULL,
        changed      jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_by   text,
        approved     boolean NOT NULL DEFAULT false,
        approved_by  text,
        created_at   timestamptz NOT NULL,
        approved_at  timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX knowledge_atom_versions_atom_idx ON knowledge_atom_versions_view (atom_id, version)`);
    await q.query(`
      CREATE TABLE knowledge_topic_atoms_view (
        id           text PRIMARY KEY,
        workspace_id uuid NOT NULL,
        topic_id     uuid NOT NULL,
        atom_id      uuid NOT NULL,
        position     integer,
        note         text,
        created_at   timestamptz NOT NULL,
        updated_at   timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX knowledge_topic_atoms_pair_idx ON knowledge_topic_atoms_view (topic_id, atom_id)`);
    await q.query(`CREATE INDEX knowledge_topic_atoms_atom_idx ON knowledge_topic_atoms_view (atom_id)`);
    await q.query(`
      CREATE TABLE knowledge_atom_links_view (
        id           text PRIMARY KEY,
        workspace_id uuid NOT NULL,
        from_atom_id uuid NOT NULL,
        to_atom_id   uuid NOT NULL,
        link_type    text NOT NULL CHECK (link_type IN ('continues', 'solves', 'contradicts', 'supports', 'refines', 'relates_to', 'depends_on')),
        strength     double precision CHECK (strength IS NULL OR (strength >= 0 AND strength <= 1)),
        created_at   timestamptz NOT NULL,
        updated_at   timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX knowledge_atom_links_pair_idx ON knowledge_atom_links_view (from_atom_id, to_atom_id)`);
    await q.query(`CREATE INDEX knowledge_atom_links_to_idx ON knowledge_atom_links_view (to_atom_id)`);
    // Seed 003 messages.topic_id, many-to-many: a message may be about several topics.
    await q.query(`
      CREATE TABLE knowledge_message_topics_view (
        id           text PRIMARY KEY,
        workspace_id uuid NOT NULL,
        message_id   uuid NOT NULL,
        topic_id     uuid NOT NULL,
        score        double precision NOT NULL,
        method       text NOT NULL CHECK (method IN ('semantic', 'manual')),
        assigned_by  text,
        assigned_at  timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX knowledge_message_topics_pair_idx ON knowledge_message_topics_view (message_id, topic_id)`);
    await q.query(`CREATE INDEX knowledge_message_topics_topic_idx ON knowledge_message_topics_view (topic_id, assigned_at DESC, message_id DESC)`);
    // Processing state of the topic classifier (like a checkpoint, not a read model): the
    // newest chunk embedding of each message that was classified, so a message is classified
    // again only when its chunks changed.
    await q.query(`
      CREATE TABLE knowledge_message_topic_checks (
        message_id   uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        embedded_at  timestamptz NOT NULL,
        checked_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX knowledge_message_topic_checks_embedded_idx ON knowledge_message_topic_checks (embedded_at)`);
    // The classifier's pass reads chunks embedded since its watermark.
    await q.query(`CREATE INDEX knowledge_rag_chunks_embedded_at_idx ON knowledge_rag_chunks (last_embedded_at) WHERE embedding_status = 'ready'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS knowledge_rag_chunks_embedded_at_idx`);
    for (const t of [
      'knowledge_message_topic_checks',
      'knowledge_message_topics_view',
      'knowledge_atom_links_view',
      'knowledge_topic_atoms_view',
      'knowledge_atom_versions_view',
      'knowledge_atoms_view',
      'knowledge_topic_versions_view',
      'knowledge_topics_view',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
