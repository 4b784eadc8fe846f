import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event store (ARCHITECTURE.md section 4).
 * - event_streams is the optimistic-concurrency guard: per-stream uniqueness cannot be a unique
 *   index on a time-partitioned table, so an append moves the stream row's version with a
 *   compare-and-set in the same transaction as the events.
 * - events is range-partitioned by month of recorded_at (plus DEFAULT as a safety net), so time
 *   queries prune, and old months detach for archive without rewriting anything.
 * - es_append does a whole append (idempotency key, stream CAS, all events) in ONE statement,
 *   i.e. one round trip in autocommit, or one statement inside a caller's transaction.
 */
export class EventStore1764086400000 implements MigrationInterface {
  name = 'EventStore1764086400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_streams (
        stream_id    text PRIMARY KEY,
        stream_type  text NOT NULL,
        workspace_id uuid,
        version      bigint NOT NULL CHECK (version >= 0),
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        archived     boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE INDEX event_streams_workspace_type_idx ON event_streams (workspace_id, stream_type)`);

    await q.query(`CREATE SEQUENCE events_global_position_seq AS bigint`);
    await q.query(`
      CREATE TABLE events (
        global_position bigint NOT NULL DEFAULT nextval('events_global_position_seq'),
        transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id        uuid NOT NULL,
        stream_id       text NOT NULL,
        stream_version  bigint NOT NULL,
        stream_type     text NOT NULL,
        event_type      text NOT NULL,
        schema_version  integer NOT NULL DEFAULT 1,
        workspace_id    uuid,
        actor_id        text,
        correlation_id  text,
        causation_id    text,
        payload         jsonb NOT NULL,
        metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
        recorded_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (global_position, recorded_at)
      ) PARTITION BY RANGE (recorded_at)`);
    await q.query(`ALTER SEQUENCE events_global_position_seq OWNED BY events.global_position`);
    await q.query(`CREATE TABLE events_default PARTITION OF events DEFAULT`);
    await q.query(`CREATE INDEX events_stream_idx ON events (stream_id, stream_version)`);
    await q.query(`CREATE INDEX events_tx_position_idx ON events (transaction_id, global_position)`);
    await q.query(`CREATE INDEX events_workspace_time_idx ON events (workspace_id, recorded_at)`);
    await q.query(`CREATE INDEX events_type_time_idx ON events (event_type, recorded_at)`);
    await q.query(`CREATE INDEX events_actor_time_idx ON events (actor_id, recorded_at) WHERE actor_id IS NOT NULL`);
    await q.query(`CREATE INDEX events_correlation_idx ON events (correlation_id) WHERE correlation_id IS NOT NULL`);
    await q.query(`CREATE INDEX events_event_id_idx ON events (event_id)`);

    // Immutability: history is never rewritten (erasure works by destroying keys, not rows).
    await q.query(`
      CREATE FUNCTION events_reject_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are immutable: % on events is not allowed', TG_OP
          USING ERRCODE = 'ES001';
      END $$`);
    await q.query(`
      CREATE TRIGGER events_immutable BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_reject_mutation()`);
    await q.query(`
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_reject_mutation()`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        workspace_id    uuid NOT NULL,
        idempotency_key text NOT NULL,
        request_hash    text,
        stream_id       text NOT NULL,
        result          jsonb,
        created_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, idempotency_key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);

    await q.query(`
      CREATE TABLE stream_snapshots (
        stream_id      text PRIMARY KEY,
        stream_version bigint NOT NULL,
        snapshot_type  text NOT NULL,
        state          jsonb NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now()
      )`);

    // p_expected_version: >= 1 exact, 0 NO_STREAM, -1 ANY, -2 STREAM_EXISTS.
    await q.query(`
      CREATE FUNCTION es_append(
        p_stream_id text, p_stream_type text, p_workspace_id uuid, p_expected_version bigint,
        p_event_ids uuid[], p_event_types text[], p_schema_versions integer[],
        p_payloads jsonb[], p_metadata jsonb[],
        p_actor_id text, p_correlation_id text, p_causation_id text,
        p_recorded_at timestamptz,
        p_idempotency_key text, p_request_hash text, p_result jsonb
      ) RETURNS TABLE (
        next_version bigint, first_position bigint, last_position bigint, tx_id xid8,
        duplicate boolean, stored_result jsonb, stored_request_hash text
      ) LANGUAGE plpgsql AS $fn$
      DECLARE
        n       integer := cardinality(p_event_ids);
        v_at    timestamptz := coalesce(p_recorded_at, now());
        v_ws    uuid := coalesce(p_workspace_id, '00000000-0000-0000-0000-000000000000'::uuid);
        v_version bigint;
      BEGIN
        IF n IS NULL OR n = 0 THEN
          RAISE EXCEPTION 'es_append needs at least one event' USING ERRCODE = '22023';
        END IF;
        IF p_idempotency_key IS NOT NULL THEN
          INSERT INTO idempotency_keys (workspace_id, idempotency_key, request_hash, stream_id, result)
          VALUES (v_ws, p_idempotency_key, p_request_hash, p_stream_id, p_result)
          ON CONFLICT DO NOTHING;
          IF NOT FOUND THEN
            RETURN QUERY SELECT NULL::bigint, NULL::bigint, NULL::bigint, NULL::xid8, true, k.result, k.request_hash
              FROM idempotency_keys k WHERE k.workspace_id = v_ws AND k.idempotency_key = p_idempotency_key;
            RETURN;
          END IF;
        END IF;

        IF p_expected_version = -1 THEN
          INSERT INTO event_streams AS s (stream_id, stream_type, workspace_id, version, created_at, updated_at)
          VALUES (p_stream_id, p_stream_type, p_workspace_id, n, v_at, v_at)
          ON CONFLICT (stream_id) DO UPDATE
            SET version = s.version + n, updated_at = v_at, created_at = least(s.created_at, v_at)
          RETURNING s.version INTO v_version;
        ELSIF p_expected_version = 0 THEN
          INSERT INTO event_streams (stream_id, stream_type, workspace_id, version, created_at, updated_at)
          VALUES (p_stream_id, p_stream_type, p_workspace_id, n, v_at, v_at)
          ON CONFLICT (stream_id) DO NOTHING
          RETURNING version INTO v_version;
        ELSIF p_expected_version = -2 THEN
          UPDATE event_streams SET version = version + n, updated_at = v_at, created_at = least(created_at, v_at)
           WHERE stream_id = p_stream_id
          RETURNING version INTO v_version;
        ELSE
          UPDATE event_streams SET version = version + n, updated_at = v_at, created_at = least(created_at, v_at)
           WHERE stream_id = p_stream_id AND version = p_expected_version
          RETURNING version INTO v_version;
        END IF;

        IF v_version IS NULL THEN
          RAISE EXCEPTION 'concurrency conflict on stream %', p_stream_id
            USING ERRCODE = 'ES409',
                  DETAIL = coalesce((SELECT version::text FROM event_streams WHERE stream_id = p_stream_id), 'none');
        END IF;

        RETURN QUERY
        WITH inserted AS (
          INSERT INTO events (event_id, stream_id, stream_version, stream_type, event_type, schema_version,
                              workspace_id, actor_id, correlation_id, causation_id, payload, metadata, recorded_at)
          SELECT e.id, p_stream_id, v_version - n + e.ord, p_stream_type, e.typ, coalesce(e.sv, 1),
                 p_workspace_id, p_actor_id, p_correlation_id, p_causation_id, e.payload,
                 coalesce(e.meta, '{}'::jsonb), v_at
            FROM unnest(p_event_ids, p_event_types, p_schema_versions, p_payloads, p_metadata)
                 WITH ORDINALITY AS e(id, typ, sv, payload, meta, ord)
          RETURNING global_position
        )
        SELECT v_version, min(global_position), max(global_position), pg_current_xact_id(), false, NULL::jsonb, NULL::text
          FROM inserted;
      END $fn$`);

    // Monthly partitions (UTC) from the month of p_from up to p_months_ahead months later.
    await q.query(`
      CREATE FUNCTION es_ensure_event_partitions(p_months_ahead integer, p_from timestamptz DEFAULT now())
      RETURNS SETOF text LANGUAGE plpgsql AS $fn$
      DECLARE
        m    timestamp;
        part text;
      BEGIN
        FOR i IN 0..p_months_ahead LOOP
          m := date_trunc('month', p_from AT TIME ZONE 'UTC') + make_interval(months => i);
          part := format('events_y%sm%s', to_char(m, 'YYYY'), to_char(m, 'MM'));
          IF to_regclass(part) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)',
                           part, (m AT TIME ZONE 'UTC'), ((m + interval '1 month') AT TIME ZONE 'UTC'));
            RETURN NEXT part;
          END IF;
        END LOOP;
      END $fn$`);
    await q.query(`SELECT es_ensure_event_partitions(3)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS es_ensure_event_partitions(integer, timestamptz)`);
    await q.query(`DROP FUNCTION IF EXISTS es_append`);
    await q.query(`DROP TABLE IF EXISTS stream_snapshots, idempotency_keys, events, event_streams CASCADE`);
    await q.query(`DROP FUNCTION IF EXISTS events_reject_mutation()`);
  }
}
