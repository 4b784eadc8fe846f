import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Durable subscriptions (checkpoint = (transaction_id, global_position), fenced by
 * compare-and-set), the dead-letter table of parked events, and projection rebuild progress.
 */
export class EventSourcingRuntime1764086400200 implements MigrationInterface {
  name = 'EventSourcingRuntime1764086400200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subscription_checkpoints (
        name             text PRIMARY KEY,
        kind             text NOT NULL,
        last_tx          xid8 NOT NULL DEFAULT '0'::xid8,
        last_pos         bigint NOT NULL DEFAULT 0,
        status           text NOT NULL DEFAULT 'running'
                         CHECK (status IN ('running', 'failing', 'rebuilding', 'stopped')),
        last_error       text,
        events_processed bigint NOT NULL DEFAULT 0,
        holder           text,
        rebuild_requested_at timestamptz,
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE parked_events (
        id              bigserial PRIMARY KEY,
        subscription    text NOT NULL,
        global_position bigint NOT NULL,
        transaction_id  xid8 NOT NULL,
        event_id        uuid NOT NULL,
        stream_id       text NOT NULL,
        event_type      text NOT NULL,
        reason          text NOT NULL CHECK (reason IN ('failed', 'blocked-by-stream')),
        error           text,
        attempts        integer NOT NULL DEFAULT 0,
        status          text NOT NULL DEFAULT 'parked' CHECK (status IN ('parked', 'retried', 'skipped')),
        parked_at       timestamptz NOT NULL DEFAULT now(),
        resolved_at     timestamptz,
        UNIQUE (subscription, event_id)
      )`);
    await q.query(`CREATE INDEX parked_events_open_idx ON parked_events (subscription, stream_id, transaction_id, global_position) WHERE status = 'parked'`);
    await q.query(`
      CREATE TABLE projection_rebuilds (
        id           uuid PRIMARY KEY,
        projection   text NOT NULL,
        status       text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
        trigger      text NOT NULL,
        events_total bigint,
        events_done  bigint NOT NULL DEFAULT 0,
        error        text,
        created_at   timestamptz NOT NULL DEFAULT now(),
        started_at   timestamptz,
        finished_at  timestamptz
      )`);
    await q.query(`CREATE INDEX projection_rebuilds_projection_idx ON projection_rebuilds (projection, created_at DESC)`);
    // Audit module read model: one row per aggregate, so reviewers can list what exists.
    await q.query(`
      CREATE TABLE audit_stream_activity_view (
        stream_id         text PRIMARY KEY,
        stream_type       text NOT NULL,
        workspace_id      uuid,
        version           bigint NOT NULL,
        first_recorded_at timestamptz NOT NULL,
        last_recorded_at  timestamptz NOT NULL,
        last_event_type   text NOT NULL,
        actor_ids         jsonb NOT NULL DEFAULT '[]'::jsonb
      )`);
    await q.query(`CREATE INDEX audit_stream_activity_ws_idx ON audit_stream_activity_view (workspace_id, last_recorded_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS audit_stream_activity_view, projection_rebuilds, parked_events, subscription_checkpoints`);
  }
}
