import { SecretBoxError } from '@libs/common/crypto/secret-box';
import { ApplicationError } from '@libs/common/errors/application-error';
import { OAuthAccessError } from '@modules/identity/contracts';
import { IngestionError, IngestionErrorCode } from '@modules/ingestion/domain/ingestion.errors';
import { ImapConnectorError } from '@modules/ingestion/infrastructure/connectors/imap.client';
import { ProviderHttpError } from '@modules/ingestion/infrastructure/connectors/provider-http';
import { GmailError } from '@modules/ingestion/infrastructure/connectors/gmail.client';
import { GraphMailError } from '@modules/ingestion/infrastructure/connectors/graph-mail.client';
import { SlackApiError } from '@modules/ingestion/infrastructure/connectors/slack-web.client';
import { Microsoft365SyncError } from './microsoft365-sync.error';
import { PullSyncError, PullSyncErrorCode } from './pull-sync.errors';

/**
 * What a failed sync asks of a person, as a stable code (the job's error entry and the source's
 * `syncErrorCode` carry it; clients switch on it):
 * - reconnect: the provider refused the credentials or token (401, revoked, unlinked account).
 * - permissions: the credentials work but lack a scope or role (403, missing_scope, not_in_channel).
 * - quota: rate limited until the retries ran out, or a quota is spent (429, 402).
 * - unreachable: DNS, connection, timeout, 5xx: nothing to do but wait; the next run resumes.
 * - invalid_config: the source's settings cannot work (404 account, missing folder or channel, host refused).
 * - interrupted: the sync was stopped (shutdown, lost lease); the next run resumes.
 * - other: anything else.
 */
export const SYNC_FAILURE_CODES = ['reconnect', 'permissions', 'quota', 'unreachable', 'invalid_config', 'interrupted', 'other'] as const;
export type SyncFailureCode = (typeof SYNC_FAILURE_CODES)[number];

export interface SyncFailure {
  code: SyncFailureCode;
  /** What to do first, then what happened: only texts this code base wrote, never a provider's body. */
  message: string;
}

const MAX_MESSAGE = 2000;

/** Who a person reconnects or grants, per source kind (a kind not listed: its name). */
const ACCOUNT_OF: Record<string, string> = {
  chatwoot: 'Chatwoot',
  gong: 'Gong',
  slack: 'Slack',
  imap: 'IMAP',
  gmail: 'Google',
  microsoft365: 'Microsoft',
  fathom: 'Fathom',
};

const SLACK_PERMISSIONS = new Set(['missing_scope', 'not_in_channel', 'access_denied', 'restricted_action', 'ekm_access_denied']);
const SLACK_RECONNECT = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'no_permission', 'team_access_not_granted']);

function advice(code: SyncFailureCode, kind: string): string {
  const who = ACCOUNT_OF[kind] ?? kind;
  switch (code) {
    case 'reconnect':
      return `Reconnect the ${who} account: the provider refused the source's credentials or token; update the source's credentials or link the account again.`;
    case 'permissions':
      return `Grant the missing permissions: the ${who} account is connected but may not read this (a scope, a role or a channel membership is missing); grant it, then reconnect if the provider asks.`;
    case 'quota':
      return `Wait for the ${who} quota: the provider kept rate-limiting the sync; it resumes from its watermark at its next run (a longer syncIntervalMinutes spends less of the quota).`;
    case 'unreachable':
      return `Try again later: ${who} could not be reached or kept failing; the next run resumes from the watermark.`;
    case 'invalid_config':
      return `Fix the source's settings: they cannot work with ${who} as they are (address, account, folder or channel).`;
    case 'interrupted':
      return 'Nothing to do: the sync was interrupted; the next run resumes from the watermark.';
    case 'other':
      return 'The sync failed; the next run resumes from the watermark. If it keeps failing, the server logs say more.';
  }
}

/** The failure's code and its safe detail (a known error type's own message, written to be shown). */
function classify(err: unknown): { code: SyncFailureCode; detail: string | null } {
  if (err instanceof OAuthAccessError) return { code: err.problem === 'provider_unavailable' ? 'unreachable' : 'reconnect', detail: err.message };
  if (err instanceof SlackApiError) {
    const code = SLACK_RECONNECT.has(err.slackError) ? 'reconnect' : SLACK_PERMISSIONS.has(err.slackError) ? 'permissions' : err.slackError === 'ratelimited' ? 'quota' : err.slackError === 'channel_not_found' ? 'invalid_config' : 'other';
    return { code, detail: err.message };
  }
  if (err instanceof ProviderHttpError) return { code: httpCode(err), detail: err.message };
  if (err instanceof GmailError) return { code: err.problem === 'history-expired' ? 'other' : err.problem, detail: err.message };
  if (err instanceof GraphMailError) return { code: statusCode(err.status, err.transient), detail: err.message };
  if (err instanceof Microsoft365SyncError) return { code: err.problem, detail: err.message };
  if (err instanceof ImapConnectorError) {
    const code: Record<typeof err.failure, SyncFailureCode> = { auth: 'reconnect', tls: 'invalid_config', refused: 'invalid_config', 'folder-missing': 'invalid_config', unreachable: 'unreachable', timeout: 'unreachable', protocol: 'other' };
    return { code: code[err.failure], detail: err.message };
  }
  if (err instanceof IngestionError) {
    const reconnect = err.code === IngestionErrorCode.CredentialsInvalid || err.code === IngestionErrorCode.AccountNotVerified;
    return { code: reconnect ? 'reconnect' : 'invalid_config', detail: err.message };
  }
  // Sealed with a key no longer in SECRETS_KEYS (or tampered with): only new credentials help.
  if (err instanceof SecretBoxError) return { code: 'reconnect', detail: "the source's credentials can no longer be opened with this server's keys (SECRETS_KEYS)" };
  if (err instanceof PullSyncError) return { code: err.code === PullSyncErrorCode.NotSupported ? 'invalid_config' : 'other', detail: err.message };
  // Our own refusals are written to be shown; any other error's text is unknown (a driver's, a library's): logged only.
  if (err instanceof ApplicationError) return { code: 'other', detail: err.message };
  return { code: 'other', detail: null };
}

function httpCode(err: ProviderHttpError): SyncFailureCode {
  return statusCode(err.status, err.transient);
}

function statusCode(s: number | null, transient: boolean): SyncFailureCode {
  if (s === 401) return 'reconnect';
  if (s === 403) return 'permissions';
  if (s === 429 || s === 402) return 'quota';
  if (s === null) return transient ? 'unreachable' : 'invalid_config';
  if (s === 408 || s >= 500) return 'unreachable';
  if (s === 404 || s === 400 || s === 422 || s === 410) return 'invalid_config';
  return 'other';
}

/**
 * A runner's failure as a person reads it on the job and the source (SyncRunner.execute): what
 * to do, then what happened. An aborted sync (shutdown, lease lost) is `interrupted` whatever
 * error the abort surfaced as.
 */
export function describeSyncFailure(err: unknown, kind: string, signal?: AbortSignal): SyncFailure {
  if (signal?.aborted) {
    const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
    return { code: 'interrupted', message: `interrupted: ${reason}; the next run resumes from the watermark`.slice(0, MAX_MESSAGE) };
  }
  const { code, detail } = classify(err);
  const fallback = err instanceof Error ? `an unexpected ${err.name}` : 'an unexpected failure';
  return { code, message: `${advice(code, kind)} What happened: ${detail ?? fallback}`.slice(0, MAX_MESSAGE) };
}
