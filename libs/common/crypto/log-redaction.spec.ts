import pino from 'pino';
import { Writable } from 'node:stream';
import { LOG_REDACT_PATHS, logSerializers, REDACTED, redactUrl } from './log-redaction';

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

describe('log serializers', () => {
  it('log only allowed request headers: any other header, a new provider secret included, is left out', () => {
    const out = logSerializers.req({
      id: 'r1',
      method: 'POST',
      url: '/api/v1/webhooks/telegram/x',
      headers: {
        'user-agent': 'curl/8',
        'content-type': 'application/json',
        'x-request-id': 'r1',
        authorization: 'Bearer m-auth',
        'x-telegram-bot-api-secret-token': 'm-telegram',
        'x-custom-secret': 'm-custom',
        referer: 'https://app.example.com/cb?code=m-code&limit=5',
      },
    });
    const text = JSON.stringify(out);
    for (const m of ['m-auth', 'm-telegram', 'm-custom', 'm-code']) expect(text).not.toContain(m);
    expect(out.headers).toEqual({
      'user-agent': 'curl/8',
      'content-type': 'application/json',
      'x-request-id': 'r1',
      referer: `https://app.example.com/cb?code=${REDACTED}&limit=5`,
    });
  });

  it('redact query values of unknown parameters in the URL, keep the list parameters', () => {
    expect(redactUrl('/a?token=s1&access_token=s2&key=s3&limit=10&cursor=abc&q=hello%20world')).toBe(
      `/a?token=${REDACTED}&access_token=${REDACTED}&key=${REDACTED}&limit=10&cursor=abc&q=hello%20world`,
    );
    expect(redactUrl('/a')).toBe('/a');
    expect(redactUrl('/a?flag&%zz=1')).toBe(`/a?flag&%zz=${REDACTED}`);
  });

  it('log only allowed response headers (never Set-Cookie)', () => {
    expect(logSerializers.res({ statusCode: 200, headers: { 'set-cookie': 'sid=m', 'x-request-id': 'r1', etag: '3' } })).toEqual({
      statusCode: 200,
      headers: { 'x-request-id': 'r1', etag: '3' },
    });
  });
});
