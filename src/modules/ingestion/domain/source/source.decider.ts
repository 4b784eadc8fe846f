import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { SourceKind } from '@modules/ingestion/contracts/ingestion.integration-events';
import { IngestionError, IngestionErrorCode as Code } from '../ingestion.errors';

/**
 * A source (seed 000 integrations / workspace_connectors, 002 project_sources, 003 sources):
 * where messages come from. Credentials travel only as SecretBox ciphertext.
 */
export type SyncStatus = 'pending' | 'syncing' | 'success' | 'error';

export type SourceEvent =
  | {
      type: 'ingestion.source-connected';
      data: {
        sourceId: string;
        workspaceId: string;
        kind: SourceKind;
        name: string;
        config: Record<string, unknown>;
        credentialsCiphertext: string | null;
        externalId: string | null;
        at: string;
      };
    }
  | { type: 'ingestion.source-updated'; data: { sourceId: string; name?: string; config?: Record<string, unknown>; at: string } }
  | { type: 'ingestion.source-credentials-replaced'; data: { sourceId: string; credentialsCiphertext: string | null; at: string } }
  | { type: 'ingestion.source-active-changed'; data: { sourceId: string; active: boolean; at: string } }
  | { type: 'ingestion.source-sync-status-changed'; data: { sourceId: string; status: SyncStatus; error: string | null; at: string } };

export type SourceState =
  | { status: 'none' }
  | { status: 'connected'; sourceId: string; workspaceId: string; kind: SourceKind; active: boolean; syncStatus: SyncStatus };

export type SourceCommand =
  | {
      kind: 'connect';
      sourceId: string;
      workspaceId: string;
      sourceKind: SourceKind;
      name: string;
      config: Record<string, unknown>;
      credentialsCiphertext: string | null;
      externalId: string | null;
      now: Date;
    }
  | { kind: 'update'; workspaceId: string; name?: string; config?: Record<string, unknown>; now: Date }
  | { kind: 'replace-credentials'; workspaceId: string; credentialsCiphertext: string | null; now: Date }
  | { kind: 'set-active'; workspaceId: string; active: boolean; now: Date }
  | { kind: 'set-sync-status'; status: SyncStatus; error: string | null; now: Date };

function mine(s: SourceState, workspaceId: string) {
  // Another workspace's source is "not found", never "forbidden".
  if (s.status === 'none' || s.workspaceId !== workspaceId) throw new IngestionError(Code.SourceNotFound, 'No such source');
  return s;
}

export const sourceDecider: Decider<SourceCommand, SourceState, SourceEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (s, e) => {
    switch (e.type) {
      case 'ingestion.source-connected':
        return { status: 'connected', sourceId: e.data.sourceId, workspaceId: e.data.workspaceId, kind: e.data.kind, active: true, syncStatus: 'pending' };
      case 'ingestion.source-active-changed':
        return s.status === 'none' ? s : { ...s, active: e.data.active };
      case 'ingestion.source-sync-status-changed':
        return s.status === 'none' ? s : { ...s, syncStatus: e.data.status };
      case 'ingestion.source-updated':
      case 'ingestion.source-credentials-replaced':
        return s;
      default:
        return assertNever(e);
    }
  },
  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'connect':
        if (s.status !== 'none') throw new IngestionError(Code.SourceExternalAccountTaken, 'This source exists');
        return {
          type: 'ingestion.source-connected',
          data: {
            sourceId: c.sourceId,
            workspaceId: c.workspaceId,
            kind: c.sourceKind,
            name: c.name,
            config: c.config,
            credentialsCiphertext: c.credentialsCiphertext,
            externalId: c.externalId,
            at,
          },
        };
      case 'update': {
        const src = mine(s, c.workspaceId);
        if (c.name === undefined && c.config === undefined) return [];
        return { type: 'ingestion.source-updated', data: { sourceId: src.sourceId, ...(c.name !== undefined ? { name: c.name } : {}), ...(c.config !== undefined ? { config: c.config } : {}), at } };
      }
      case 'replace-credentials': {
        const src = mine(s, c.workspaceId);
        return { type: 'ingestion.source-credentials-replaced', data: { sourceId: src.sourceId, credentialsCiphertext: c.credentialsCiphertext, at } };
      }
      case 'set-active': {
        const src = mine(s, c.workspaceId);
        return src.active === c.active ? [] : { type: 'ingestion.source-active-changed', data: { sourceId: src.sourceId, active: c.active, at } };
      }
      case 'set-sync-status':
        if (s.status === 'none') throw new IngestionError(Code.SourceNotFound, 'No such source');
        return { type: 'ingestion.source-sync-status-changed', data: { sourceId: s.sourceId, status: c.status, error: c.error, at } };
      default:
        return assertNever(c);
    }
  },
};
