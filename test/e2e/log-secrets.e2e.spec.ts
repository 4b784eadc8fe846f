import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { signUp, uniqueSecret } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

/**
 * Issue 11 item 6: request logs carry an allow-list of headers, so no credential header (the
 * ones known today, and one made up to stand for tomorrow's provider) and no token-like query
 * value reaches a log line. The app logs at debug level into a stream this test reads back.
 */
describe('logs carry no secrets (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  const lines: string[] = [];
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    testApp = await createTestApp({ env: { LOG_LEVEL: 'debug' }, logLines: lines });
    app = testApp.app;
  });
  afterAll(() => testApp?.close());

  it('leaves every credential header and token-like query value out of the request logs', async () => {
    const user = await signUp(app);
    const markers: Record<string, string> = {};
    const secretHeaders = (without: string[] = []) => {
      const headers: Record<string, string> = {};
      for (const name of ['Cookie', 'X-API-Key', 'X-Telegram-Bot-Api-Secret-Token', 'X-Slack-Signature', 'webhook-signature', 'api_access_token', 'X-Custom-Secret', 'X-Chatwoot-Signature', 'X-Signature']) {
        if (without.includes(name)) continue;
        const value = uniqueSecret(name.toLowerCase());
        markers[`${name} ${value}`] = value;
        headers[name] = value;
      }
      return headers;
    };
    const requestIds: string[] = [];
    const rid = () => {
      const id = uuidv7();
      requestIds.push(id);
      return id;
    };
    const query = () => {
      const values = { token: uniqueSecret('q-token'), access_token: uniqueSecret('q-access'), key: uniqueSecret('q-key'), sig: uniqueSecret('q-sig') };
      for (const [k, v] of Object.entries(values)) markers[`?${k} ${v}`] = v;
      return `token=${values.token}&access_token=${values.access_token}&key=${values.key}&sig=${values.sig}&limit=5`;
    };

    // A signed-in call (its bearer token is a secret too; an X-API-Key would take precedence), and
    // the same with a forged token.
    markers['access token'] = user.accessToken;
    await http().get(`/api/v1/me?${query()}`).set(user.auth).set(secretHeaders(['X-API-Key'])).set('X-Request-Id', rid()).expect(200);
    const forged = uniqueSecret('forged-bearer');
    markers['forged bearer'] = forged;
    await http().get('/api/v1/me').set('Authorization', `Bearer ${forged}`).set(secretHeaders()).set('X-Request-Id', rid()).expect(401);
    // Webhooks, whose only authentication is a header (Telegram's secret token, signatures).
    for (const kind of ['telegram', 'slack', 'chatwoot', 'fathom']) {
      const res = await http().post(`/api/v1/webhooks/${kind}/${uuidv7()}?${query()}`).set(secretHeaders()).set('X-Request-Id', rid()).send({ update_id: 1 });
      expect(res.status).toBeLessThan(500);
    }

    await new Promise((r) => setImmediate(r));
    const out = lines.join('');
    // The requests were logged (by their ids), with their headers and the query's shape.
    for (const id of requestIds) expect(out).toContain(id);
    const logged = lines.map((l) => JSON.parse(l)).filter((l) => l.req && requestIds.includes(l.req.id));
    expect(logged.length).toBeGreaterThanOrEqual(requestIds.length);
    expect(logged.every((l) => l.req.headers['x-request-id'] === l.req.id)).toBe(true);
    const leaked = Object.entries(markers).filter(([, v]) => out.includes(v)).map(([k]) => k);
    expect(leaked).toEqual([]);
    expect(out).toContain('token=[Redacted]');
    expect(out).toContain('limit=5');
  });
});
