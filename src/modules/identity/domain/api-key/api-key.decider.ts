import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { WorkspaceRole } from '@libs/common/auth/workspace-role';
import { IdentityError, IdentityErrorCode as Code } from '@modules/identity/domain/identity.errors';

/** A machine client's key, scoped to one workspace and a role; only its hash is ever stored. */
export type ApiKeyEvent =
  | {
      type: 'identity.api-key-created';
      data: { apiKeyId: string; workspaceId: string; name: string; role: WorkspaceRole; prefix: string; keyHash: string; createdBy: string; expiresAt: string | null; at: string };
    }
  | { type: 'identity.api-key-revoked'; data: { apiKeyId: string; workspaceId: string; revokedBy: string; at: string } };

export type ApiKeyState = { status: 'none' } | { status: 'active' | 'revoked'; apiKeyId: string; workspaceId: string };

export type ApiKeyCommand =
  | { kind: 'create'; apiKeyId: string; workspaceId: string; name: string; role: WorkspaceRole; prefix: string; keyHash: string; createdBy: string; expiresAt: Date | null; now: Date }
  | { kind: 'revoke'; workspaceId: string; revokedBy: string; now: Date };

export const apiKeyDecider: Decider<ApiKeyCommand, ApiKeyState, ApiKeyEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (s, e) => {
    switch (e.type) {
      case 'identity.api-key-created':
        return { status: 'active', apiKeyId: e.data.apiKeyId, workspaceId: e.data.workspaceId };
      case 'identity.api-key-revoked':
        return s.status === 'none' ? s : { ...s, status: 'revoked' };
      default:
        return assertNever(e);
    }
  },
  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'create':
        if (s.status !== 'none') throw new IdentityError(Code.ApiKeyNotFound, 'API key ids are never reused');
        return {
          type: 'identity.api-key-created',
          data: {
            apiKeyId: c.apiKeyId,
            workspaceId: c.workspaceId,
            name: c.name,
            role: c.role,
            prefix: c.prefix,
            keyHash: c.keyHash,
            createdBy: c.createdBy,
            expiresAt: c.expiresAt?.toISOString() ?? null,
            at,
          },
        };
      case 'revoke':
        // Another workspace's key is "not found", never "forbidden".
        if (s.status === 'none' || s.workspaceId !== c.workspaceId) throw new IdentityError(Code.ApiKeyNotFound, 'No such API key');
        if (s.status === 'revoked') return [];
        return { type: 'identity.api-key-revoked', data: { apiKeyId: s.apiKeyId, workspaceId: s.workspaceId, revokedBy: c.revokedBy, at } };
      default:
        return assertNever(c);
    }
  },
};
