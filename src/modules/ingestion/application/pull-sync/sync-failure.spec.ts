import { SecretBoxError } from '@libs/common/crypto/secret-box';
import { OAuthAccessError } from '@modules/identity/contracts';
import { IngestionError, IngestionErrorCode } from '@modules/ingestion/domain/ingestion.errors';
import { ImapConnectorError } from '@modules/ingestion/infrastructure/connectors/imap.client';
import { ProviderHttpError } from '@modules/ingestion/infrastructure/connectors/provider-http';
import { SlackApiError } from '@modules/ingestion/infrastructure/connectors/slack-web.client';
import { describeSyncFailure } from './sync-failure';

const http = (status: number | null, transient = false) => new ProviderHttpError('chatwoot', status, `Chatwoot answered ${status} to GET /x`, 1, transient);

describe('describeSyncFailure', () => {
  it('classifies provider answers by status: 401 reconnect, 403 permissions, 429 quota, 5xx and network unreachable, 404 invalid_config', () => {
    const codes = [http(401), http(403), http(429, true), http(502, true), http(null, true), http(null, false), http(404), http(200)].map((e) => describeSyncFailure(e, 'chatwoot').code);
    expect(codes).toEqual(['reconnect', 'permissions', 'quota', 'unreachable', 'unreachable', 'invalid_config', 'invalid_config', 'other']);
  });

  it('says what to do first, then what happened (the connector\'s own description, which never holds the provider body)', () => {
    expect(describeSyncFailure(http(401), 'chatwoot').message).toBe(
      "Reconnect the Chatwoot account: the provider refused the source's credentials or token; update the source's credentials or link the account again. What happened: Chatwoot answered 401 to GET /x",
    );
    expect(describeSyncFailure(new OAuthAccessError('reconnect_required', 'Google refused the refresh token'), 'gmail')).toEqual({
      code: 'reconnect',
      message: expect.stringMatching(/^Reconnect the Google account: .*What happened: Google refused the refresh token$/),
    });
    expect(describeSyncFailure(new OAuthAccessError('not_linked', 'No such linked account'), 'microsoft365').message).toMatch(/^Reconnect the Microsoft account/);
    expect(describeSyncFailure(new OAuthAccessError('provider_unavailable', 'Google did not answer'), 'gmail').code).toBe('unreachable');
  });

  it('reads Slack error codes, IMAP failures and the app\'s own refusals', () => {
    const slack = (code: string) => describeSyncFailure(new SlackApiError(code, `Slack refused x (${code})`, 1), 'slack').code;
    expect(['invalid_auth', 'token_revoked', 'missing_scope', 'not_in_channel', 'channel_not_found', 'fatal_error'].map(slack)).toEqual(['reconnect', 'reconnect', 'permissions', 'permissions', 'invalid_config', 'other']);
    const imap = (f: ConstructorParameters<typeof ImapConnectorError>[0]) => describeSyncFailure(new ImapConnectorError(f, 'x'), 'imap').code;
    expect(['auth', 'folder-missing', 'tls', 'timeout', 'unreachable', 'protocol'].map((f) => imap(f as never))).toEqual(['reconnect', 'invalid_config', 'invalid_config', 'unreachable', 'unreachable', 'other']);
    expect(describeSyncFailure(new IngestionError(IngestionErrorCode.CredentialsInvalid, 'no credentials'), 'gong').code).toBe('reconnect');
    expect(describeSyncFailure(new SecretBoxError('authentication-failed', 'the token was tampered with'), 'gong')).toEqual({ code: 'reconnect', message: expect.stringMatching(/can no longer be opened with this server's keys/) });
  });

  it('never shows the text of an error it does not know (a library\'s may quote anything), only that it was unexpected', () => {
    const f = describeSyncFailure(new TypeError('secret-ish provider text'), 'gong');
    expect(f.code).toBe('other');
    expect(f.message).not.toContain('secret-ish');
    expect(f.message).toMatch(/an unexpected TypeError$/);
  });

  it('is `interrupted` when the sync was stopped, whatever error the abort surfaced as', () => {
    const c = new AbortController();
    c.abort(new Error('the application is shutting down'));
    expect(describeSyncFailure(http(502, true), 'chatwoot', c.signal)).toEqual({ code: 'interrupted', message: 'interrupted: the application is shutting down; the next run resumes from the watermark' });
  });
});
