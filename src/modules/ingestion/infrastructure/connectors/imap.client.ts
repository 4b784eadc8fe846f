import { ImapFlow } from 'imapflow';
import { OutboundGuard, outboundRefusalOf } from '@libs/common/net/outbound-guard';
import { Credentials, imapPort, imapSecurity } from '@modules/ingestion/infrastructure/source-credentials';

/** What went wrong with an IMAP server, in words that say what to do; never the server's own text. */
export type ImapFailure = 'auth' | 'tls' | 'refused' | 'unreachable' | 'folder-missing' | 'timeout' | 'protocol';

export class ImapConnectorError extends Error {
  constructor(
    readonly failure: ImapFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ImapConnectorError';
  }
}

export interface ImapConnectOptions {
  /** Every socket goes through it: the host is checked on the addresses it resolves to, at connect time. */
  guard?: OutboundGuard;
  /** The TCP/TLS connect and greeting budget. */
  timeoutMs?: number;
  /** Largest literal (message) the server may send: a bigger one ends the connection instead of filling memory. */
  maxLiteralBytes?: number;
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|CERT_|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/;

/**
 * An ImapFlow client for a source's credentials, not yet connected. TLS is required unless the
 * source says `tls: false`: implicit TLS (port 993 or `tls: 'implicit'`) or STARTTLS that must
 * succeed (`doSTARTTLS: true`: a server that does not offer it is an error, never a silent
 * cleartext login). Certificates are checked unless `allowSelfSigned`. The socket's `lookup` is
 * the outbound guard's, so the connection reaches only allowed addresses. imapflow's logger is
 * off: its lines could carry what the server said.
 */
export function imapClient(c: Credentials, opts: ImapConnectOptions = {}): ImapFlow {
  const security = imapSecurity(c);
  const host = c.host.trim();
  let lookup: ReturnType<OutboundGuard['socketLookup']> | undefined;
  try {
    lookup = opts.guard?.socketLookup(host);
  } catch (err) {
    throw describeImapError(err);
  }
  const timeout = opts.timeoutMs ?? 30_000;
  return new ImapFlow({
    host,
    port: imapPort(c),
    secure: security === 'implicit',
    doSTARTTLS: security === 'starttls' ? true : security === 'none' ? false : undefined,
    auth: { user: c.username, pass: c.password },
    tls: { ...(lookup ? { lookup } : {}), rejectUnauthorized: c.allowSelfSigned !== 'true', minVersion: 'TLSv1.2' } as never,
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: 5 * 60_000,
    ...(opts.maxLiteralBytes ? { maxLiteralSize: opts.maxLiteralBytes, maxResponseSize: opts.maxLiteralBytes + 1024 * 1024 } : {}),
    clientInfo: { name: 'ingestion-imap-sync' },
  });
}

/** Connects and logs in; a failure becomes an ImapConnectorError that says what to do. */
export async function connectImap(c: Credentials, opts: ImapConnectOptions = {}): Promise<ImapFlow> {
  const client = imapClient(c, opts);
  // A connection error after connect() settled must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (err) {
    client.close();
    throw describeImapError(err);
  }
}

/**
 * The failure as a fixed text per cause. imapflow's errors may carry the server's response text
 * (`responseText`, `response`): none of it is read into the message.
 */
export function describeImapError(err: unknown): ImapConnectorError {
  if (err instanceof ImapConnectorError) return err;
  const refusal = outboundRefusalOf(err);
  if (refusal) return new ImapConnectorError('refused', `the IMAP host is refused: ${refusal.message}`);
  const e = (err ?? {}) as { code?: string; authenticationFailed?: boolean; tlsFailed?: boolean; serverResponseCode?: string; message?: string };
  const code = typeof e.code === 'string' ? e.code : '';
  if (e.authenticationFailed || code === 'AUTHENTICATIONFAILED' || e.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return new ImapConnectorError('auth', 'the IMAP server refused the login: check the username and password (an app password where the provider needs one), then update the source\'s credentials');
  }
  if (e.tlsFailed || TLS_CODES.test(code)) return tlsFailure();
  if (code === 'CONNECT_TIMEOUT' || code === 'GREETING_TIMEOUT' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') {
    return new ImapConnectorError('timeout', 'the IMAP server did not answer in time: check host and port, or try again later');
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ECONNRESET' || code === 'NoConnection') {
    return new ImapConnectorError('unreachable', `the IMAP server could not be reached (${code}): check host and port, or try again later`);
  }
  if (/certificate|self[- ]signed|STARTTLS|\btls\b|\bssl\b/i.test(e.message ?? '')) return tlsFailure();
  return new ImapConnectorError('protocol', `the IMAP server answered in a way the sync could not use${code ? ` (${code})` : ''}; try again later`);
}

const tlsFailure = () =>
  new ImapConnectorError('tls', 'no trusted TLS connection to the IMAP server (certificate not trusted, STARTTLS not offered, or TLS not spoken on that port): check host, port and tls; set allowSelfSigned only for a server you run yourself');
