import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ingestion read models: sources, the one message model (chat, calls, support, email), jobs,
 * conversations and source contacts. Deduplication lives in the ids (message id = uuid v5 of
 * source + external id, one stream each), so no unique index here can trip a rebuild.
 */
export class Ingestion1764086400800 implements MigrationInterface {
  name = 'Ingestion1764086400800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ingestion_sources_view (
        id                     uuid PRIMARY KEY,
        workspace_id           uuid NOT NULL,
        kind                   text NOT NULL,
        name                   text NOT NULL,
        config                 jsonb NOT NULL DEFAULT '{}'::jsonb,
        credentials_ciphertext text,
        external_id            text,
        is_active              boolean NOT NULL DEFAULT true,
        sync_status            text NOT NULL DEFAULT 'pending' CHECK (sync_status IN ('pending', 'syncing', 'success', 'error')),
        sync_error             text,
        last_synced_at         timestamptz,
        created_at             timestamptz NOT NULL,
        updated_at             timestamptz
      )`);
    await q.query(`CREATE INDEX ingestion_sources_ws_idx ON ingestion_sources_view (workspace_id, kind, name)`);
    await q.query(`
      CREATE TABLE ingestion_messages_view (
        id                   uuid PRIMARY KEY,
        workspace_id         uuid NOT NULL,
        source_id            uuid NOT NULL,
        source_kind          text NOT NULL,
        external_id          text NOT NULL,
        content              text NOT NULL,
        sent_at              timestamptz NOT NULL,
        channel_id           text,
        channel_name         text,
        thread_id            text,
        is_reply             boolean NOT NULL DEFAULT false,
        conversation_id      text,
        author_subject_id    text,
        author_name          text,
        author_email         text,
        author_external_id   text,
        title                text,
        to_addresses         jsonb NOT NULL DEFAULT '[]'::jsonb,
        cc_addresses         jsonb NOT NULL DEFAULT '[]'::jsonb,
        email                jsonb,
        metadata             jsonb NOT NULL DEFAULT '{}'::jsonb,
        raw                  jsonb,
        processing_state     text NOT NULL DEFAULT 'pending' CHECK (processing_state IN ('pending', 'processed', 'deleted')),
        noise_classification text,
        noise_factors        jsonb,
        importance_score     double precision,
        import_job_id        uuid,
        edited_at            timestamptz,
        deleted_at           timestamptz,
        processed_at         timestamptz,
        created_at           timestamptz NOT NULL,
        updated_at           timestamptz,
        search               tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(title, '') || ' ' || content)) STORED
      )`);
    await q.query(`CREATE INDEX ingestion_messages_ws_sent_idx ON ingestion_messages_view (workspace_id, sent_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ingestion_messages_source_idx ON ingestion_messages_view (source_id, sent_at DESC)`);
    await q.query(`CREATE INDEX ingestion_messages_thread_idx ON ingestion_messages_view (workspace_id, thread_id) WHERE thread_id IS NOT NULL`);
    await q.query(`CREATE INDEX ingestion_messages_author_idx ON ingestion_messages_view (author_subject_id)`);
    await q.query(`CREATE INDEX ingestion_messages_search_idx ON ingestion_messages_view USING gin (search)`);
    await q.query(`
      CREATE TABLE ingestion_jobs_view (
        id                 uuid PRIMARY KEY,
        workspace_id       uuid NOT NULL,
        source_id          uuid NOT NULL,
        kind               text NOT NULL,
        format             text NOT NULL,
        file_name          text,
        source_identifiers jsonb NOT NULL DEFAULT '{}'::jsonb,
        status             text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
        messages_fetched   integer NOT NULL DEFAULT 0,
        messages_stored    integer NOT NULL DEFAULT 0,
        messages_skipped   integer NOT NULL DEFAULT 0,
        errors_count       integer NOT NULL DEFAULT 0,
        current_batch      integer NOT NULL DEFAULT 0,
        total_batches      integer,
        error_log          jsonb NOT NULL DEFAULT '[]'::jsonb,
        time_window_start  timestamptz,
        time_window_end    timestamptz,
        started_at         timestamptz,
        completed_at       timestamptz,
        created_at         timestamptz NOT NULL,
        updated_at         timestamptz
      )`);
    await q.query(`CREATE INDEX ingestion_jobs_ws_idx ON ingestion_jobs_view (workspace_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE ingestion_conversations_view (
        id                  uuid PRIMARY KEY,
        workspace_id        uuid NOT NULL,
        source_id           uuid NOT NULL,
        external_id         text NOT NULL,
        status              text,
        inbox_id            text,
        assignee_id         text,
        contact_external_id text,
        raw                 jsonb,
        created_at          timestamptz NOT NULL,
        updated_at          timestamptz
      )`);
    await q.query(`CREATE INDEX ingestion_conversations_source_idx ON ingestion_conversations_view (source_id, external_id)`);
    await q.query(`
      CREATE TABLE ingestion_source_contacts_view (
        id                uuid PRIMARY KEY,
        workspace_id      uuid NOT NULL,
        source_id         uuid NOT NULL,
        subject_id        text NOT NULL,
        external_id       text NOT NULL,
        name              text,
        email             text,
        phone             text,
        identifier        text,
        custom_attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
        raw               jsonb,
        created_at        timestamptz NOT NULL,
        updated_at        timestamptz
      )`);
    await q.query(`CREATE INDEX ingestion_contacts_source_idx ON ingestion_source_contacts_view (source_id, external_id)`);
    // Pull sync cursors (seed 002 sync_watermarks): operational state of a connector, like a checkpoint.
    await q.query(`
      CREATE TABLE ingestion_sync_watermarks (
        source_id  uuid NOT NULL,
        stream     text NOT NULL,
        cursor_ts  timestamptz,
        cursor_id  text,
        meta       jsonb NOT NULL DEFAULT '{}'::jsonb,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source_id, stream)
      )`);
    // Webhook deliveries already taken in (provider delivery ids): a redelivery stores nothing new.
    await q.query(`
      CREATE TABLE ingestion_webhook_deliveries (
        source_id   uuid NOT NULL,
        delivery_id text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source_id, delivery_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS ingestion_webhook_deliveries, ingestion_sync_watermarks, ingestion_source_contacts_view,
      ingestion_conversations_view, ingestion_jobs_view, ingestion_messages_view, ingestion_sources_view`);
  }
}
