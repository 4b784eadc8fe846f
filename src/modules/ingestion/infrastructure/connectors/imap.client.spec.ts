import { OutboundConnectionRefusedError, OutboundGuard } from '@libs/common/net/outbound-guard';
import { describeImapError, imapClient, ImapConnectorError } from './imap.client';

/** What a server might answer: it must never reach a stored or logged error. */
const SERVER_TEXT = 'NO [AUTHENTICATIONFAILED] internal-host-7 db_password=hunter2';

describe('IMAP errors: what to do, never what the server said', () => {
  const cases: [string, unknown, RegExp][] = [
    ['auth', Object.assign(new Error('Command failed'), { authenticationFailed: true, responseText: SERVER_TEXT, serverResponseCode: 'AUTHENTICATIONFAILED' }), /refused the login: check the username and password.*update the source's credentials/],
    ['tls', Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), /no trusted TLS connection.*allowSelfSigned/],
    ['tls', Object.assign(new Error('Server does not support STARTTLS'), { tlsFailed: true }), /no trusted TLS connection/],
    ['timeout', Object.assign(new Error(`Failed to receive greeting ${SERVER_TEXT}`), { code: 'GREETING_TIMEOUT' }), /did not answer in time/],
    ['unreachable', Object.assign(new Error('connect ECONNREFUSED 192.0.2.1:993'), { code: 'ECONNREFUSED' }), /could not be reached \(ECONNREFUSED\): check host and port/],
    ['protocol', Object.assign(new Error(SERVER_TEXT), { responseText: SERVER_TEXT }), /answered in a way the sync could not use/],
  ];

  it.each(cases)('%s', (failure, err, message) => {
    const e = describeImapError(err);
    expect(e).toBeInstanceOf(ImapConnectorError);
    expect({ failure: e.failure, message: e.message }).toEqual({ failure, message: expect.stringMatching(message) });
    expect(e.message).not.toContain('hunter2');
    expect(e.message).not.toContain('internal-host-7');
  });

  it('says the host is refused when the guard refused the address', () => {
    const refusal = new OutboundConnectionRefusedError({ host: 'imap.example', address: '127.0.0.1', category: 'loopback' });
    expect(describeImapError(refusal)).toMatchObject({ failure: 'refused', message: expect.stringMatching(/^the IMAP host is refused: connecting to imap.example was refused: it is a loopback address/) });
  });

  it('refuses an inward IP literal before any socket is opened (net/tls skip lookup for literals)', async () => {
    const guard = new OutboundGuard();
    try {
      expect(() => imapClient({ host: '127.0.0.1', username: 'u', password: 'p', tls: 'false' }, { guard })).toThrow(/the IMAP host is refused/);
      expect(() => imapClient({ host: '[::1]', username: 'u', password: 'p' }, { guard })).toThrow(/the IMAP host is refused/);
      expect(imapClient({ host: 'imap.example.com', username: 'u', password: 'p' }, { guard })).toBeTruthy();
    } finally {
      await guard.close();
    }
  });
});
