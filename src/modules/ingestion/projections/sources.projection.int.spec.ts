import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { SourceEvent } from '@modules/ingestion/domain/source/source.decider';
import { SourcesProjection } from '@modules/ingestion/projections/sources.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const sourceId = '0193a000-0000-7000-8000-000000000a01';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const connected: SourceEvent = {
  type: 'ingestion.source-connected',
  data: { sourceId, workspaceId, kind: 'slack', name: 'Slack', config: { channels: ['general'] }, credentialsCiphertext: 'v1.k.c1', externalId: 'T1', at },
};
const verified: SourceEvent = { type: 'ingestion.source-account-verified', data: { sourceId, externalId: 'T1', at } };
const source = {
  id: sourceId,
  workspace_id: workspaceId,
  kind: 'slack',
  name: 'Slack',
  config: { channels: ['general'] },
  credentials_ciphertext: 'v1.k.c1',
  external_id: 'T1',
  account_verified_at: null,
  is_active: true,
  sync_status: 'pending',
  sync_error: null,
  last_synced_at: null,
  sync_attempted_at: null,
  sync_error_code: null,
  created_at: at,
  updated_at: null,
};

describe('SourcesProjection (ingestion_sources_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<SourceEvent>(new SourcesProjection(), () => db.pool);

  it('connects a source whose account is not proven yet', async () => {
    await spec.given([]).when([connected]).then([source]);
  });

  it('a proof marks the account verified; an update naming another account drops the proof', async () => {
    await spec.given([connected]).when([verified]).then([{ ...source, account_verified_at: at, updated_at: at }]);
    await spec
      .given([connected, verified])
      .when([{ type: 'ingestion.source-updated', data: { sourceId, name: 'Team Slack', externalId: 'T2', at: later } }])
      .then([{ ...source, name: 'Team Slack', external_id: 'T2', account_verified_at: null, updated_at: later }]);
    await spec
      .given([connected, verified])
      .when([{ type: 'ingestion.source-updated', data: { sourceId, config: { channels: [] }, externalId: 'T1', at: later } }])
      .then([{ ...source, config: { channels: [] }, account_verified_at: at, updated_at: later }]);
  });

  it('new credentials need a new proof; an old event without the account keeps it', async () => {
    await spec
      .given([connected, verified])
      .when([{ type: 'ingestion.source-credentials-replaced', data: { sourceId, credentialsCiphertext: 'v1.k.c2', at: later } }])
      .then([{ ...source, credentials_ciphertext: 'v1.k.c2', updated_at: later }]);
  });

  it('a released account is no longer verified; the account it names stays', async () => {
    await spec
      .given([connected, verified])
      .when([{ type: 'ingestion.source-account-released', data: { sourceId, externalId: 'T1', at: later } }])
      .then([{ ...source, updated_at: later }]);
  });

  it('tracks sync status: the error of a failure, the time of a success', async () => {
    await spec
      .given([connected])
      .when([{ type: 'ingestion.source-sync-status-changed', data: { sourceId, status: 'error', error: 'token revoked', at } }])
      // An error with no sync started is an attempt refused before it began: the interval counts from it.
      .then([{ ...source, sync_status: 'error', sync_error: 'token revoked', sync_attempted_at: at, updated_at: at }]);
    await spec
      .given([connected, { type: 'ingestion.source-sync-status-changed', data: { sourceId, status: 'error', error: 'token revoked', at } }])
      .when([{ type: 'ingestion.source-sync-status-changed', data: { sourceId, status: 'success', error: null, at: later } }])
      .then([{ ...source, sync_status: 'success', last_synced_at: later, sync_attempted_at: at, updated_at: later }]);
  });

  it('an attempt starts with syncing (its time is when the source is next due from); an error keeps its code until the next success', async () => {
    const syncing: SourceEvent = { type: 'ingestion.source-sync-status-changed', data: { sourceId, status: 'syncing', error: null, at } };
    const failed: SourceEvent = { type: 'ingestion.source-sync-status-changed', data: { sourceId, status: 'error', error: 'Reconnect the Slack account: ...', errorCode: 'reconnect', at: later } };
    await spec
      .given([connected, syncing])
      .when([failed])
      .then([{ ...source, sync_status: 'error', sync_error: 'Reconnect the Slack account: ...', sync_error_code: 'reconnect', sync_attempted_at: at, updated_at: later }]);
    await spec
      .given([connected, syncing, failed])
      .when([{ type: 'ingestion.source-sync-status-changed', data: { sourceId, status: 'syncing', error: null, at: later } }])
      .then([{ ...source, sync_status: 'syncing', sync_attempted_at: later, updated_at: later }]);
  });

  it('deactivates; a redelivered change changes nothing', async () => {
    const paused: SourceEvent = { type: 'ingestion.source-active-changed', data: { sourceId, active: false, at: later } };
    await spec.given([connected, paused]).when([paused]).then([{ ...source, is_active: false, updated_at: later }]);
  });
});
