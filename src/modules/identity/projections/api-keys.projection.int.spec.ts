import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { ApiKeyEvent } from '@modules/identity/domain/api-key/api-key.decider';
import { ApiKeysProjection } from '@modules/identity/projections/api-keys.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const apiKeyId = '0193a000-0000-7000-8000-0000000000e1';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const userId = '0193a000-0000-7000-8000-000000000001';
const at = '2026-11-27T10:00:00.000Z';
const later = '2026-11-28T10:00:00.000Z';
const created: ApiKeyEvent = {
  type: 'identity.api-key-created',
  data: { apiKeyId, workspaceId, name: 'CI', role: 'member', prefix: 'ck_abc', keyHash: 'kh', createdBy: userId, expiresAt: null, at },
};
const revoked: ApiKeyEvent = { type: 'identity.api-key-revoked', data: { apiKeyId, workspaceId, revokedBy: userId, at: later } };
const key = { id: apiKeyId, workspace_id: workspaceId, name: 'CI', role: 'member', prefix: 'ck_abc', key_hash: 'kh', created_by: userId, expires_at: null, revoked_at: null, created_at: at };

describe('ApiKeysProjection (identity_api_keys_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<ApiKeyEvent>(new ApiKeysProjection(), () => db.pool);

  it('creates a key (found by prefix, checked by hash)', async () => {
    await spec.given([]).when([created]).then([key]);
  });

  it('revokes it; a redelivered revocation changes nothing', async () => {
    await spec.given([created]).when([revoked]).then([{ ...key, revoked_at: later }]);
    await spec.given([created, revoked]).when([revoked]).then([{ ...key, revoked_at: later }]);
  });

  it('a revocation of an unknown key creates nothing', async () => {
    await spec.given([]).when([revoked]).then([]);
  });
});
