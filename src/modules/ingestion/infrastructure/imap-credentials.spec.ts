import { EncryptedColumns } from '@libs/common/crypto/encrypted-columns';
import { SecretBox } from '@libs/common/crypto/secret-box';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { loadAppConfig } from '@app/config/app-config';
import { imapPort, imapSecurity, SourceCredentials } from './source-credentials';

describe('SourceCredentials: IMAP', () => {
  const box = new SecretBox([SecretBox.generateKey('k1')]);
  const credentials = (env: Record<string, string> = { NODE_ENV: 'production' }) => new SourceCredentials(box, new EncryptedColumns(), loadAppConfig(env));
  const imap = (extra: Record<string, unknown> = {}) => ({ host: 'imap.example.com', username: 'dana@example.com', password: 'pw', ...extra });
  const fields = (fn: () => unknown): string[] => {
    try {
      fn();
    } catch (err) {
      return (err as ValidationFailedError).errors.map((e: { field: string }) => e.field);
    }
    return [];
  };

  it('keeps switches as strings and refuses bad ports, switches and unknown fields', () => {
    const c = credentials();
    expect(c.validate('imap', imap({ port: 143, tls: true, allowSelfSigned: false }))).toEqual({ host: 'imap.example.com', username: 'dana@example.com', password: 'pw', port: '143', tls: 'true', allowSelfSigned: 'false' });
    expect(fields(() => c.validate('imap', { host: 'imap.example.com' }))).toEqual(['credentials.username', 'credentials.password']);
    expect(fields(() => c.validate('imap', imap({ port: 70000 })))).toEqual(['credentials.port']);
    expect(fields(() => c.validate('imap', imap({ tls: 'maybe' })))).toEqual(['credentials.tls']);
    expect(fields(() => c.validate('imap', imap({ baseUrl: 'https://x.example' })))).toEqual(['credentials.baseUrl']);
    expect(fields(() => c.validate('imap', imap({ host: 'imaps://imap.example.com/INBOX' })))).toEqual(['credentials.host']);
  });

  it('refuses inward hosts in every spelling unless CONNECTOR_ALLOWED_HOSTS names them', () => {
    const c = credentials();
    for (const host of ['127.0.0.1', 'localhost', '2130706433', '0x7f.1', '10.1.2.3', '[::1]', '::1', '169.254.169.254', 'metadata.google.internal']) {
      expect({ host, fields: fields(() => c.validate('imap', imap({ host }))) }).toEqual({ host, fields: ['credentials.host'] });
    }
    expect(credentials({ NODE_ENV: 'production', CONNECTOR_ALLOWED_HOSTS: '127.0.0.1' }).validate('imap', imap({ host: '127.0.0.1' }))).toBeTruthy();
  });

  it('TLS by default: implicit on 993 (the default port), STARTTLS required on another port; cleartext only when tls is false', () => {
    expect([imapSecurity({ tls: 'true' }), imapPort({})]).toEqual(['implicit', 993]);
    expect([imapSecurity({ port: '143' }), imapPort({ port: '143' })]).toEqual(['starttls', 143]);
    expect([imapSecurity({ tls: 'starttls' }), imapPort({ tls: 'starttls' })]).toEqual(['starttls', 143]);
    expect([imapSecurity({ tls: 'false' }), imapPort({ tls: 'false' })]).toEqual(['none', 143]);
    expect(imapSecurity({ tls: 'implicit', port: '1993' })).toBe('implicit');
  });

  it('names the mailbox by a hash of its user on its server (never the address in clear)', () => {
    const c = credentials();
    const id = c.externalIdOf('imap', { host: 'IMAP.example.com', username: ' Dana@Example.com', password: 'x' }, {});
    expect(id).toMatch(/^user-sha256:[0-9a-f]{32}@imap\.example\.com:993$/);
    expect(id).not.toContain('dana');
    expect(c.externalIdOf('imap', { host: 'imap.example.com', username: 'dana@example.com', password: 'y' }, {})).toBe(id);
    expect(c.externalIdOf('imap', { host: 'imap.example.com', username: 'dana@example.com', password: 'y', port: '143' }, {})).not.toBe(id);
  });
});
