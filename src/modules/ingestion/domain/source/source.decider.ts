import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { SourceKind } from '@modules/ingestion/contracts/ingestion.integration-events';
import { IngestionError, IngestionErrorCode as Code } from '@modules/ingestion/domain/ingestion.errors';

/**
 * A source (seed 000 integrations / workspace_connectors, 002 project_sources, 003 sources):
 * where messages come from. Credentials travel only as SecretBox ciphertext.
 *
 * The provider account a source NAMES (`externalId`: a Slack team id, a Chatwoot account...) is
 * only a claim until it is proven with the credentials (a successful authenticated call that
 * answers that account): `source-account-verified` records the proof, and only a proven account
 * is bound to the workspace (the unique claim). New credentials name the account anew and need
 * a new proof. A source that stops holding its proven account (other credentials, another
 * account named, deactivated) records `source-account-released` and its claim is released, so
 * the account's real owner can connect it elsewhere; reactivated, it proves the account again.
 */
export type SyncStatus = 'pending' | 'syncing' | 'success' | 'error';

/** Bounds of a pulled source's `config.syncIntervalMinutes` (minutes between two sync attempts). */
export const MIN_SYNC_INTERVAL_MINUTES = 1;
export const MAX_SYNC_INTERVAL_MINUTES = 1440;

/** A config's `syncIntervalMinutes`, when set, is a whole number of minutes within the bounds (callers check before any side effect too). */
export function checkSourceConfig(config: Record<string, unknown> | undefined): void {
  const v = config?.syncIntervalMinutes;
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < MIN_SYNC_INTERVAL_MINUTES || v > MAX_SYNC_INTERVAL_MINUTES) {
    throw new IngestionError(Code.SourceConfigInvalid, `config.syncIntervalMinutes must be a whole number of minutes from ${MIN_SYNC_INTERVAL_MINUTES} to ${MAX_SYNC_INTERVAL_MINUTES}`, { field: 'config.syncIntervalMinutes' });
  }
}

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
  | {
      type: 'ingestion.source-updated';
      /** `externalId`: present when the new config names another account (Slack's teamId): it needs a new proof. */
      data: { sourceId: string; name?: string; config?: Record<string, unknown>; externalId?: string | null; at: string };
    }
  | {
      type: 'ingestion.source-credentials-replaced';
      /** `externalId`: the account the new credentials name (absent in events written before proofs existed). */
      data: { sourceId: string; credentialsCiphertext: string | null; externalId?: string | null; at: string };
    }
  | { type: 'ingestion.source-account-verified'; data: { sourceId: string; externalId: string; at: string } }
  | { type: 'ingestion.source-account-released'; data: { sourceId: string; externalId: string; at: string } }
  | { type: 'ingestion.source-active-changed'; data: { sourceId: string; active: boolean; at: string } }
  | {
      type: 'ingestion.source-sync-status-changed';
      /** `errorCode`: what to do about an error (sync-failure.ts: reconnect, permissions, quota...); absent in events written before it existed. */
      data: { sourceId: string; status: SyncStatus; error: string | null; errorCode?: string | null; at: string };
    };

export type SourceState =
  | { status: 'none' }
  | {
      status: 'connected';
      sourceId: string;
      workspaceId: string;
      kind: SourceKind;
      active: boolean;
      syncStatus: SyncStatus;
      /** The account named by the current credentials or config. */
      externalId: string | null;
      /** The account proven with the current credentials (null: not proven). */
      verifiedAccount: string | null;
    };

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
  | { kind: 'update'; workspaceId: string; name?: string; config?: Record<string, unknown>; externalId?: string | null; now: Date }
  | { kind: 'replace-credentials'; workspaceId: string; credentialsCiphertext: string | null; externalId: string | null; now: Date }
  /** A successful authenticated call answered this account (the caller holds its unique claim). */
  | { kind: 'verify-account'; workspaceId: string; externalId: string; now: Date }
  /** The source no longer holds this proven account (the caller releases the claim); a no-op for any other. */
  | { kind: 'release-account'; workspaceId: string; externalId: string; now: Date }
  | { kind: 'set-active'; workspaceId: string; active: boolean; now: Date }
  | { kind: 'set-sync-status'; status: SyncStatus; error: string | null; errorCode?: string | null; now: Date };

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
        return { status: 'connected', sourceId: e.data.sourceId, workspaceId: e.data.workspaceId, kind: e.data.kind, active: true, syncStatus: 'pending', externalId: e.data.externalId, verifiedAccount: null };
      case 'ingestion.source-active-changed':
        return s.status === 'none' ? s : { ...s, active: e.data.active };
      case 'ingestion.source-sync-status-changed':
        return s.status === 'none' ? s : { ...s, syncStatus: e.data.status };
      case 'ingestion.source-credentials-replaced':
        return s.status === 'none' ? s : { ...s, externalId: e.data.externalId !== undefined ? e.data.externalId : s.externalId, verifiedAccount: null };
      case 'ingestion.source-account-verified':
        return s.status === 'none' ? s : { ...s, externalId: e.data.externalId, verifiedAccount: e.data.externalId };
      case 'ingestion.source-account-released':
        return s.status === 'none' ? s : { ...s, verifiedAccount: null };
      case 'ingestion.source-updated':
        return s.status === 'none' || e.data.externalId === undefined || e.data.externalId === s.externalId ? s : { ...s, externalId: e.data.externalId, verifiedAccount: null };
      default:
        return assertNever(e);
    }
  },
  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'connect':
        if (s.status !== 'none') throw new IngestionError(Code.SourceExternalAccountTaken, 'This source exists');
        checkSourceConfig(c.config);
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
        checkSourceConfig(c.config);
        const renamesAccount = c.externalId !== undefined && c.externalId !== src.externalId;
        if (c.name === undefined && c.config === undefined && !renamesAccount) return [];
        return {
          type: 'ingestion.source-updated',
          data: {
            sourceId: src.sourceId,
            ...(c.name !== undefined ? { name: c.name } : {}),
            ...(c.config !== undefined ? { config: c.config } : {}),
            ...(renamesAccount ? { externalId: c.externalId } : {}),
            at,
          },
        };
      }
      case 'replace-credentials': {
        const src = mine(s, c.workspaceId);
        return { type: 'ingestion.source-credentials-replaced', data: { sourceId: src.sourceId, credentialsCiphertext: c.credentialsCiphertext, externalId: c.externalId, at } };
      }
      case 'verify-account': {
        const src = mine(s, c.workspaceId);
        if (src.verifiedAccount === c.externalId) return [];
        return { type: 'ingestion.source-account-verified', data: { sourceId: src.sourceId, externalId: c.externalId, at } };
      }
      case 'release-account': {
        const src = mine(s, c.workspaceId);
        if (src.verifiedAccount !== c.externalId) return [];
        return { type: 'ingestion.source-account-released', data: { sourceId: src.sourceId, externalId: c.externalId, at } };
      }
      case 'set-active': {
        const src = mine(s, c.workspaceId);
        return src.active === c.active ? [] : { type: 'ingestion.source-active-changed', data: { sourceId: src.sourceId, active: c.active, at } };
      }
      case 'set-sync-status':
        if (s.status === 'none') throw new IngestionError(Code.SourceNotFound, 'No such source');
        return {
          type: 'ingestion.source-sync-status-changed',
          data: { sourceId: s.sourceId, status: c.status, error: c.error, ...(c.status === 'error' && c.errorCode ? { errorCode: c.errorCode } : {}), at },
        };
      default:
        return assertNever(c);
    }
  },
};
