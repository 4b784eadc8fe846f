import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';
import { ApiKeyCommand, apiKeyDecider, ApiKeyEvent } from '@modules/identity/domain/api-key/api-key.decider';

const spec = DeciderSpecification(apiKeyDecider);
const now = new Date('2026-11-27T10:00:00Z');
const at = now.toISOString();
const create: ApiKeyCommand = { kind: 'create', apiKeyId: 'k1', workspaceId: 'w1', name: 'CI', role: 'member', prefix: 'ck_abc', keyHash: 'h', createdBy: 'u1', expiresAt: null, now };
const created: ApiKeyEvent = {
  type: 'identity.api-key-created',
  data: { apiKeyId: 'k1', workspaceId: 'w1', name: 'CI', role: 'member', prefix: 'ck_abc', keyHash: 'h', createdBy: 'u1', expiresAt: null, at },
};
const revoked: ApiKeyEvent = { type: 'identity.api-key-revoked', data: { apiKeyId: 'k1', workspaceId: 'w1', revokedBy: 'u2', at } };

describe('API key decider', () => {
  it('creates a key with its expiry as an ISO time', () => {
    spec.given([]).when(create).then([created]);
    const expiresAt = new Date('2027-01-01T00:00:00Z');
    spec.given([]).when({ ...create, expiresAt }).then([{ ...created, data: { ...created.data, expiresAt: expiresAt.toISOString() } }]);
  });

  it('never reuses a key id', () => {
    spec.given([created]).when(create).thenThrows(IdentityError, (e) => expect(e.code).toBe(Code.ApiKeyNotFound));
  });

  it('revokes a key of its own workspace, once', () => {
    spec.given([created]).when({ kind: 'revoke', workspaceId: 'w1', revokedBy: 'u2', now }).then([revoked]);
    spec.given([created, revoked]).when({ kind: 'revoke', workspaceId: 'w1', revokedBy: 'u2', now }).thenNothingHappened();
  });

  it("treats another workspace's key, or none, as not found (never forbidden)", () => {
    spec.given([created]).when({ kind: 'revoke', workspaceId: 'w2', revokedBy: 'u2', now }).thenThrows(IdentityError, (e) => expect(e.code).toBe(Code.ApiKeyNotFound));
    spec.given([]).when({ kind: 'revoke', workspaceId: 'w1', revokedBy: 'u2', now }).thenThrows(IdentityError, (e) => expect(e.code).toBe(Code.ApiKeyNotFound));
  });
});
