import pino from 'pino';
import { Writable } from 'node:stream';
import { LOG_REDACT_PATHS } from './log-redaction';

describe('log redaction', () => {
  it('keeps credentials and secret fields out of log lines', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = pino({ redact: LOG_REDACT_PATHS }, sink);
    logger.info(
      {
        req: {
          headers: { authorization: 'Bearer hdr-secret', 'x-api-key': 'key-secret', cookie: 'c=cookie-secret' },
          body: { email: 'ada@example.com', password: 'pw-secret', connector: { credentials: { clientSecret: 'cs-secret' }, token: 'tok-secret' } },
          query: { token: 'query-secret' },
        },
        password: 'top-secret',
        refreshToken: 'rt-secret',
        err: { config: { apiKey: 'llm-secret' } },
      },
      'request',
    );
    await new Promise((r) => setImmediate(r));
    const out = lines.join('');
    for (const secret of ['hdr-secret', 'key-secret', 'cookie-secret', 'pw-secret', 'cs-secret', 'tok-secret', 'query-secret', 'top-secret', 'rt-secret', 'llm-secret']) {
      expect(out).not.toContain(secret);
    }
    // Not every field is hidden: what is not a secret stays readable.
    expect(out).toContain('ada@example.com');
    expect(out).toContain('[Redacted]');
  });
});
