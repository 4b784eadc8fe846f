import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { SourceEvent } from '@modules/ingestion/domain/source/source.decider';

type D<T extends SourceEvent['type']> = Extract<SourceEvent, { type: T }>['data'];

export interface SourceRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  kind: string;
  name: string;
  config: Record<string, unknown>;
  credentials_ciphertext: string | null;
  external_id: string | null;
  /** When the named account was proven with the current credentials (null: not proven, claims nothing). */
  account_verified_at: string | null;
  is_active: boolean;
  sync_status: string;
  sync_error: string | null;
  last_synced_at: string | null;
  /** When the last sync attempt started (or failed before it could): a source is due `syncIntervalMinutes` after it. */
  sync_attempted_at: string | null;
  /** The sync error's stable code (sync-failure.ts), null without an error. */
  sync_error_code: string | null;
  created_at: string;
  updated_at: string | null;
}

/** ingestion_sources_view (credentials stay SecretBox ciphertext; the API never returns them). */
export class SourcesProjection extends RowProjection<SourceRow> {
  readonly name = 'ingestion.sources';
  readonly table = 'ingestion_sources_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { sourceId: string }).sourceId;
  }

  readonly handlers: Record<string, RowHandler<SourceRow>> = {
    'ingestion.source-connected': (_r, e) => {
      const d = e.data as D<'ingestion.source-connected'>;
      return {
        id: d.sourceId,
        workspace_id: d.workspaceId,
        kind: d.kind,
        name: d.name,
        config: d.config,
        credentials_ciphertext: d.credentialsCiphertext,
        external_id: d.externalId,
        account_verified_at: null,
        is_active: true,
        sync_status: 'pending',
        sync_error: null,
        last_synced_at: null,
        sync_attempted_at: null,
        sync_error_code: null,
        created_at: d.at,
        updated_at: null,
      };
    },
    'ingestion.source-updated': (r, e) => {
      const d = e.data as D<'ingestion.source-updated'>;
      if (!r) return null;
      const renamed = d.externalId !== undefined && d.externalId !== r.external_id;
      return { ...r, name: d.name ?? r.name, config: d.config ?? r.config, ...(renamed ? { external_id: d.externalId ?? null, account_verified_at: null } : {}), updated_at: d.at };
    },
    'ingestion.source-credentials-replaced': (r, e) => {
      const d = e.data as D<'ingestion.source-credentials-replaced'>;
      return r
        ? { ...r, credentials_ciphertext: d.credentialsCiphertext, external_id: d.externalId !== undefined ? d.externalId : r.external_id, account_verified_at: null, updated_at: d.at }
        : null;
    },
    'ingestion.source-account-verified': (r, e) => {
      const d = e.data as D<'ingestion.source-account-verified'>;
      return r ? { ...r, external_id: d.externalId, account_verified_at: d.at, updated_at: d.at } : null;
    },
    'ingestion.source-account-released': (r, e) => (r ? { ...r, account_verified_at: null, updated_at: (e.data as D<'ingestion.source-account-released'>).at } : null),
    'ingestion.source-active-changed': (r, e) => {
      const d = e.data as D<'ingestion.source-active-changed'>;
      return r ? { ...r, is_active: d.active, updated_at: d.at } : null;
    },
    'ingestion.source-sync-status-changed': (r, e) => {
      const d = e.data as D<'ingestion.source-sync-status-changed'>;
      if (!r) return null;
      // An attempt starts with `syncing`; an error without one is an attempt refused before it started (credentials that do not open).
      const attempted = d.status === 'syncing' || (d.status === 'error' && r.sync_status !== 'syncing');
      return {
        ...r,
        sync_status: d.status,
        sync_error: d.status === 'error' ? d.error : null,
        sync_error_code: d.status === 'error' ? (d.errorCode ?? null) : null,
        last_synced_at: d.status === 'success' ? d.at : r.last_synced_at,
        sync_attempted_at: attempted ? d.at : r.sync_attempted_at,
        updated_at: d.at,
      };
    },
  };
}
