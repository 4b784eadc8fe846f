import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys scoped to their caller and route, owned, and expiring (issue 11).
 * - `scope` (caller and route, e.g. `<user id> PATCH /api/v1/me`) joins the primary key: keys
 *   were per workspace only, so outside workspaces every user shared one namespace and one
 *   user's key answered (and dropped) another user's request.
 * - `owner_id`: the person the stored answer belongs to; their erasure deletes it.
 * - `expires_at`: es_append treats an expired key as new (the row is replaced in the same
 *   statement); a scheduled job deletes expired rows. Keys stored before this migration keep
 *   24 hours from their creation, under the legacy scope ''.
 * es_append gains three trailing parameters with defaults, so callers of the 16-parameter
 * form (bulk writers calling it from SQL without a key) keep working.
 */
export class IdempotencyScope1764086401400 implements MigrationInterface {
  name = 'IdempotencyScope1764086401400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE idempotency_keys
        ADD COLUMN scope text NOT NULL DEFAULT '',
        ADD COLUMN owner_id text,
        ADD COLUMN expires_at timestamptz`);
    await q.query(`UPDATE idempotency_keys SET expires_at = created_at + interval '24 hours'`);
    await q.query(`ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey`);
    await q.query(`ALTER TABLE idempotency_keys ADD PRIMARY KEY (workspace_id, scope, idempotency_key)`);
    await q.query(`CREATE INDEX idempotency_keys_owner_idx ON idempotency_keys (owner_id) WHERE owner_id IS NOT NULL`);
    await q.query(`CREATE INDEX idempotency_keys_stream_idx ON idempotency_keys (stream_id)`);
    await q.query(`CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at) WHERE expires_at IS NOT NULL`);

    await q.query(`DROP FUNCTION es_append(text, text, uuid, bigint, uuid[], text[], integer[], jsonb[], jsonb[], text, text, text, timestamptz, text, text, jsonb)`);
    await q.query(appendFunction(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP FUNCTION es_append(text, text, uuid, bigint, uuid[], text[], integer[], jsonb[], jsonb[], text, text, text, timestamptz, text, text, jsonb, text, text, interval)`,
    );
    await q.query(appendFunction(false));
    await q.query(`DROP INDEX IF EXISTS idempotency_keys_expires_idx, idempotency_keys_stream_idx, idempotency_keys_owner_idx`);
    // Scoped keys cannot all fit the old key: keep the oldest per (workspace, key).
    await q.query(`
      DELETE FROM idempotency_keys k USING idempotency_keys o
       WHERE k.workspace_id = o.workspace_id AND k.idempotency_key = o.idempotency_key
         AND (k.created_at, k.scope) > (o.created_at, o.scope)`);
    await q.query(`ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey`);
    await q.query(`ALTER TABLE idempotency_keys ADD PRIMARY KEY (workspace_id, idempotency_key)`);
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN scope, DROP COLUMN owner_id, DROP COLUMN expires_at`);
  }
}

/** es_append as in EventStore1764086400000, with (scoped) or without the scope, owner and TTL. */
function appendFunction(scoped: boolean): string {
  const params = scoped
    ? `, p_idempotency_scope text DEFAULT '', p_idempotency_owner text DEFAULT NULL, p_idempotency_ttl interval DEFAULT NULL`
    : '';
  const claim = scoped
    ? `INSERT INTO idempotency_keys AS k (workspace_id, scope, idempotency_key, request_hash, stream_id, result, owner_id, expires_at)
          VALUES (v_ws, v_scope, p_idempotency_key, p_request_hash, p_stream_id, p_result, p_idempotency_owner, now() + p_idempotency_ttl)
          ON CONFLICT (workspace_id, scope, idempotency_key) DO UPDATE
            SET request_hash = EXCLUDED.request_hash, stream_id = EXCLUDED.stream_id, result = EXCLUDED.result,
                owner_id = EXCLUDED.owner_id, created_at = now(), expires_at = EXCLUDED.expires_at
            -- An expired key is new again: its old answer is replaced, not replayed.
            WHERE k.expires_at IS NOT NULL AND k.expires_at <= now();
          IF NOT FOUND THEN
            RETURN QUERY SELECT NULL::bigint, NULL::bigint, NULL::bigint, NULL::xid8, true, k.result, k.request_hash
              FROM idempotency_keys k WHERE k.workspace_id = v_ws AND k.scope = v_scope AND k.idempotency_key = p_idempotency_key;
            RETURN;
          END IF;`
    : `INSERT INTO idempotency_keys (workspace_id, idempotency_key, request_hash, stream_id, result)
          VALUES (v_ws, p_idempotency_key, p_request_hash, p_stream_id, p_result)
          ON CONFLICT DO NOTHING;
          IF NOT FOUND THEN
            RETURN QUERY SELECT NULL::bigint, NULL::bigint, NULL::bigint, NULL::xid8, true, k.result, k.request_hash
              FROM idempotency_keys k WHERE k.workspace_id = v_ws AND k.idempotency_key = p_idempotency_key;
            RETURN;
          END IF;`;
  return `
      CREATE FUNCTION es_append(
        p_stream_id text, p_stream_type text, p_workspace_id uuid, p_expected_version bigint,
        p_event_ids uuid[], p_event_types text[], p_schema_versions integer[],
        p_payloads jsonb[], p_metadata jsonb[],
        p_actor_id text, p_correlation_id text, p_causation_id text,
        p_recorded_at timestamptz,
        p_idempotency_key text, p_request_hash text, p_result jsonb${params}
      ) RETURNS TABLE (
        next_version bigint, first_position bigint, last_position bigint, tx_id xid8,
        duplicate boolean, stored_result jsonb, stored_request_hash text
      ) LANGUAGE plpgsql AS $fn$
      DECLARE
        n       integer := cardinality(p_event_ids);
        v_at    timestamptz := coalesce(p_recorded_at, now());
        v_ws    uuid := coalesce(p_workspace_id, '00000000-0000-0000-0000-000000000000'::uuid);
        ${scoped ? `v_scope text := coalesce(p_idempotency_scope, '');` : ''}
        v_version bigint;
      BEGIN
        IF n IS NULL OR n = 0 THEN
          RAISE EXCEPTION 'es_append needs at least one event' USING ERRCODE = '22023';
        END IF;
        IF p_idempotency_key IS NOT NULL THEN
          ${claim}
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
      END $fn$`;
}
