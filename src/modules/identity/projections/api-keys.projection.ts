import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { ApiKeyEvent } from '@modules/identity/domain/api-key/api-key.decider';

type K<T extends ApiKeyEvent['type']> = Extract<ApiKeyEvent, { type: T }>['data'];

export interface ApiKeyRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  name: string;
  role: string;
  prefix: string;
  key_hash: string;
  created_by: string;
  expires_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

/** identity_api_keys_view: found by prefix, checked by hash. */
export class ApiKeysProjection extends RowProjection<ApiKeyRow> {
  readonly name = 'identity.api-keys';
  readonly table = 'identity_api_keys_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { apiKeyId: string }).apiKeyId;
  }

  readonly handlers: Record<string, RowHandler<ApiKeyRow>> = {
    'identity.api-key-created': (_r, e) => {
      const d = e.data as K<'identity.api-key-created'>;
      return { id: d.apiKeyId, workspace_id: d.workspaceId, name: d.name, role: d.role, prefix: d.prefix, key_hash: d.keyHash, created_by: d.createdBy, expires_at: d.expiresAt, revoked_at: null, created_at: d.at };
    },
    'identity.api-key-revoked': (r, e) => (r ? { ...r, revoked_at: (e.data as K<'identity.api-key-revoked'>).at } : null),
  };
}
