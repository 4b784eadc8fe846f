import { randomBytes } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { InvalidConfigError, loadAppConfig } from '@app/config/app-config';
import { SecretBox } from '@libs/common/crypto/secret-box';
import { ANY, NO_STREAM } from '@libs/event-store/event-store.types';
import { EventTypeRegistry } from '@libs/event-store/event-type-registry';
import { ERASED } from '@libs/event-store/personal-data';
import { SubjectErasedError } from '@libs/event-store/personal-data.errors';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { eventually } from '@test/support/eventually';
import { createTestApp, TestApp } from '@test/support/test-app';

const TOKEN = 'e2e-subjects-admin-token-0123456789';
const SUBJECTS = '/api/v1/admin/subjects';
const EVENTS = '/api/v1/admin/events';
const EXPORT = '/api/v1/admin/events/export';
const STREAMS = '/api/v1/admin/audit/streams';
const CORRELATIONS = '/api/v1/admin/audit/correlations';

describe('DELETE /api/v1/admin/subjects/:subjectId (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let store: PostgresEventStore;
  let pool: Pool;
  const WS = uuidv7();
  const erin = uuidv7();
  const frank = uuidv7();
  const ERIN = { email: 'erin.example@example.com', firstName: 'Erin', lastName: 'Quartermaine' };
  const keyring = `e2e2:${randomBytes(32).toString('base64')},e2e1:${randomBytes(32).toString('base64')}`;

  const http = () => request(app.getHttpServer());
  const auth = <T extends request.Test>(r: T) => r.set('Authorization', `Bearer ${TOKEN}`);
  const exportText = async (query: Record<string, string>) =>
    (
      await auth(http().get(EXPORT).query(query))
        .buffer(true)
        .parse((r, cb) => {
          let text = '';
          r.setEncoding('utf8');
          r.on('data', (chunk: string) => (text += chunk));
          r.on('end', () => cb(null, text));
        })
        .expect(200)
    ).body as string;

  beforeAll(async () => {
    testApp = await createTestApp({ env: { ADMIN_TOKEN: TOKEN, SECRETS_KEYS: keyring, RUN_JOBS: 'true' }, processEnv: { ADMIN_TOKEN: TOKEN } });
    ({ app, pool } = testApp);
    store = app.get(PostgresEventStore);
    // What the identity module does for its own event types.
    app.get(EventTypeRegistry).personalData('e2e.user-registered', { subject: 'userId', fields: ['email', 'firstName', 'lastName'] });

    for (const [userId, person] of [
      [erin, ERIN],
      [frank, { email: 'frank.example@example.com', firstName: 'Frank', lastName: 'Tallis' }],
    ] as const) {
      await store.append(`user-${userId}`, [{ type: 'e2e.user-registered', data: { userId, plan: 'team', ...person } }], {
        streamType: 'user',
        expectedVersion: NO_STREAM,
        workspaceId: WS,
        actorId: userId,
        correlationId: `signup-${userId}`,
      });
    }
  });

  afterAll(() => testApp?.close());

  it('wraps subject keys with the configured SECRETS_KEYS (active key first) and stores no personal value in clear', async () => {
    const keys = await pool.query(`SELECT key_ciphertext FROM data_subject_keys ORDER BY subject_id`);
    expect(keys.rows).toHaveLength(2);
    for (const r of keys.rows) expect(r.key_ciphertext).toMatch(/^v1\.e2e2\./);
    const text = (await pool.query(`SELECT string_agg(payload::text, ' ') AS t FROM events`)).rows[0].t as string;
    expect(text).not.toContain(ERIN.email);
    expect(text).not.toContain(ERIN.lastName);
  });

  it('answers 401 problem+json without a token, and refuses a wrong one', async () => {
    const res = await http().delete(`${SUBJECTS}/${erin}`).expect(401).expect('content-type', /problem\+json/);
    expect(res.body.code).toBe('UNAUTHENTICATED');
    const wrong = await http().delete(`${SUBJECTS}/${erin}`).set('Authorization', 'Bearer not-the-admin-token-0000000000');
    // 401 (not a valid credential) or 403 (valid, not a superuser), depending on how the guard reads it.
    expect([401, 403]).toContain(wrong.status);
    // Nothing was erased.
    expect((await pool.query(`SELECT erased_at FROM data_subject_keys WHERE subject_id = $1`, [erin])).rows[0].erased_at).toBeNull();
  });

  it('answers 404 problem+json for a subject with no personal data recorded', async () => {
    const res = await auth(http().delete(`${SUBJECTS}/nobody-${uuidv7()}`)).expect(404).expect('content-type', /problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('shows the values revealed before the erasure', async () => {
    const res = await auth(http().get(EVENTS).query({ streamId: `user-${erin}` })).expect(200);
    expect(res.body.items[0].payload).toEqual({ userId: erin, plan: 'team', ...ERIN });
    expect(res.body.items[0].erasedFields).toBeUndefined();
  });

  describe('after DELETE', () => {
    let erasedAt: string;

    beforeAll(async () => {
      const res = await auth(http().delete(`${SUBJECTS}/${erin}`).set('X-Request-Id', 'erase-erin-1')).expect(200);
      expect(res.body).toEqual({ subjectId: erin, erasedAt: expect.any(String), alreadyErased: false });
      erasedAt = res.body.erasedAt;
    });

    it('the admin event list shows [erased] with erasedFields, not the values; other subjects are untouched', async () => {
      const res = await auth(http().get(EVENTS).query({ workspaceId: WS, eventType: 'e2e.user-registered' })).expect(200);
      const [e, f] = res.body.items;
      expect(e.payload).toEqual({ userId: erin, plan: 'team', email: ERASED, firstName: ERASED, lastName: ERASED });
      expect([...e.erasedFields].sort()).toEqual(['email', 'firstName', 'lastName']);
      expect(f.payload.email).toBe('frank.example@example.com');
      expect(JSON.stringify(res.body)).not.toContain(ERIN.email);
    });

    it('the NDJSON export, the stream history and the correlation tree show [erased] too', async () => {
      const ndjson = await exportText({ workspaceId: WS });
      expect(ndjson).not.toContain(ERIN.email);
      expect(ndjson).not.toContain(ERIN.lastName);
      const lines = ndjson.trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.find((l) => l.streamId === `user-${erin}`)).toMatchObject({ payload: { email: ERASED }, erasedFields: expect.arrayContaining(['email']) });

      const history = await auth(http().get(`${STREAMS}/user-${erin}`)).expect(200);
      expect(history.body.events[0].payload).toMatchObject({ email: ERASED, lastName: ERASED, plan: 'team' });
      expect(JSON.stringify(history.body)).not.toContain(ERIN.email);

      const tree = await auth(http().get(`${CORRELATIONS}/signup-${erin}`)).expect(200);
      expect(tree.body.events[0].payload.email).toBe(ERASED);
      expect(JSON.stringify(tree.body)).not.toContain(ERIN.email);
    });

    it('records the erasure in the log, with the caller as actor and the request as correlation', async () => {
      const res = await eventually(async () => {
        const r = await auth(http().get(EVENTS).query({ eventType: 'privacy.subject-erased' })).expect(200);
        expect(r.body.items).toHaveLength(1);
        return r;
      });
      expect(res.body.items[0]).toMatchObject({
        streamId: `data-subject-${erin}`,
        streamType: 'data-subject',
        payload: { subjectId: erin },
        // The ADMIN_TOKEN caller is the operator.
        actorId: 'operator',
        correlationId: 'erase-erin-1',
      });
      const key = await pool.query(`SELECT key_ciphertext, erased_by FROM data_subject_keys WHERE subject_id = $1`, [erin]);
      expect(key.rows[0]).toEqual({ key_ciphertext: null, erased_by: 'operator' });
    });

    it('is idempotent: a second DELETE answers the first erasure and appends nothing', async () => {
      const res = await auth(http().delete(`${SUBJECTS}/${erin}`)).expect(200);
      expect(res.body).toEqual({ subjectId: erin, erasedAt, alreadyErased: true });
      const history = await auth(http().get(`${STREAMS}/data-subject-${erin}`)).expect(200);
      expect(history.body.currentVersion).toBe(1);
    });

    it('refuses new personal data of the erased subject (PRIVACY.SUBJECT_ERASED)', async () => {
      await expect(
        store.append(`user-${erin}`, [{ type: 'e2e.user-registered', data: { userId: erin, email: 'again@example.com' } }], {
          streamType: 'user',
          expectedVersion: ANY,
        }),
      ).rejects.toBeInstanceOf(SubjectErasedError);
    });
  });

  it('documents the route in OpenAPI', async () => {
    const doc = await http().get('/api/docs-json').expect(200);
    expect(doc.body.paths[`${SUBJECTS}/{subjectId}`].delete.security).toEqual([{ bearer: [] }]);
  });
});

describe('SECRETS_KEYS configuration', () => {
  const b64 = () => randomBytes(32).toString('base64');

  it('parses the keyring, first key active', () => {
    const config = loadAppConfig({ SECRETS_KEYS: `new:${b64()},old:${b64()}` });
    expect(config.SECRETS_KEYS!.map((k) => k.id)).toEqual(['new', 'old']);
    expect(new SecretBox(config.SECRETS_KEYS!).activeKeyId).toBe('new');
  });

  it('stops start-up naming SECRETS_KEYS for a bad value, and never echoes the key', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => loadAppConfig({ SECRETS_KEYS: `k1:${short}` })).toThrow(InvalidConfigError);
    expect(() => loadAppConfig({ SECRETS_KEYS: `k1:${short}` })).toThrow(/SECRETS_KEYS: key "k1" must decode to 32 bytes/);
    try {
      loadAppConfig({ SECRETS_KEYS: `k1:${short}` });
    } catch (err) {
      expect((err as Error).message).not.toContain(short);
    }
  });

  it('refuses production on DATABASE_URL without SECRETS_KEYS; allows it with them, and embedded production without', () => {
    expect(() => loadAppConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/app' })).toThrow(/SECRETS_KEYS: required in production/);
    expect(loadAppConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/app', SECRETS_KEYS: `k1:${b64()}` }).SECRETS_KEYS).toHaveLength(1);
    expect(loadAppConfig({ NODE_ENV: 'production' }).SECRETS_KEYS).toBeUndefined();
  });
});
