import { Global, Module } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { OUTBOUND_RESOLVER, ResolveAll } from '@libs/common/net/outbound-guard';
import { PG_POOL } from '@libs/database/database-backend';
import { ChatwootSyncRunner } from '@modules/ingestion/application/pull-sync/chatwoot-sync.runner';
import { PullSource } from '@modules/ingestion/application/pull-sync/sync-runner';
import { ConnectorHttp } from '@modules/ingestion/infrastructure/connectors/connector-http';
import { ConversationWriter } from '@modules/ingestion/infrastructure/conversation-writer';
import { IngestionAggregates } from '@modules/ingestion/infrastructure/ingestion-aggregates';
import { MessageWriter } from '@modules/ingestion/infrastructure/message-writer';
import { SourceCredentials } from '@modules/ingestion/infrastructure/source-credentials';
import { eventually } from '@test/support/eventually';
import { FakeChatwoot } from '@test/support/fakes/chatwoot.fake';
import { FakeProvider } from '@test/support/fakes/fake-provider';
import { FakeGong } from '@test/support/fakes/gong.fake';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp } from '@test/support/test-app';

const T0 = 1767225600;
/** What an internal service might answer: it must never come back to the workspace or the logs. */
const MARKER = 'INTERNAL-ONLY-7f3a9c db_password=hunter2';

/**
 * Names under `.inward.test` resolve to 127.0.0.1, as a DNS name an attacker controls would: the
 * name passes the check made when the source is saved, and only the connect-time check (after
 * resolution) stands between the source's token and the internal address.
 */
const resolveInward: ResolveAll = async (hostname) => (hostname.endsWith('.inward.test') ? [{ address: '127.0.0.1', family: 4 }] : Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })));

@Global()
@Module({ providers: [{ provide: OUTBOUND_RESOLVER, useValue: resolveInward }], exports: [OUTBOUND_RESOLVER] })
class InwardResolverModule {}

describe('ingestion: connectors cannot reach inward (SSRF), and never echo a provider\'s body (e2e)', () => {
  const fakes: FakeProvider[] = [];
  const start = async <F extends FakeProvider>(f: F) => {
    fakes.push(f);
    return f.start();
  };
  const boot = async (env: Record<string, string>, logs?: string[]) => {
    const { app, close } = await createTestApp({ env: { LOG_LEVEL: logs ? 'info' : 'silent', ...env }, extraModules: [InwardResolverModule], logLines: logs });
    const owner = await signUp(app);
    return { app, close, owner, ws: await createWorkspace(app, owner) };
  };
  afterAll(async () => {
    await Promise.all(fakes.map((f) => f.close()));
  });

  const helpers = (app: NestExpressApplication, owner: SignedUp, ws: string) => {
    const http = () => request(app.getHttpServer());
    return {
      http,
      connect: (kind: string, credentials: Record<string, unknown>) => http().post(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).send({ kind, name: `${kind} ${uuidv7().slice(-6)}`, credentials }),
      source: async (id: string) => (await http().get(`/api/v1/workspaces/${ws}/sources/${id}`).set(owner.auth).expect(200)).body,
      job: async (id: string) => (await http().get(`/api/v1/workspaces/${ws}/jobs/${id}`).set(owner.auth).expect(200)).body,
      syncViaApi: async (id: string) => {
        const res = await http().post(`/api/v1/workspaces/${ws}/sources/${id}/sync`).set(owner.auth).expect(202);
        return eventually(async () => {
          const j = (await http().get(`/api/v1/workspaces/${ws}/jobs/${res.body.jobId}`).set(owner.auth).expect(200)).body;
          return j.status === 'running' ? false : j;
        }, 30_000, 100);
      },
    };
  };

  describe('no allowlist (the default, in every mode: this app runs NODE_ENV=test)', () => {
    let app: NestExpressApplication;
    let close: (() => Promise<void>) | undefined;
    let h: ReturnType<typeof helpers>;
    beforeAll(async () => {
      const booted = await boot({});
      ({ app, close } = booted);
      h = helpers(app, booted.owner, booted.ws);
    });
    afterAll(() => close?.());

    it('refuses a base URL that is already inward when it is saved: every spelling of loopback, localhost, metadata (400, nothing stored, nothing sent)', async () => {
      const f = await start(new FakeChatwoot(1, 'cw-token-1'));
      const port = new URL(f.url).port;
      for (const host of ['127.0.0.1', '2130706433', '0177.0.0.1', '0x7f.1', '127.1', '[::1]', '[::ffff:127.0.0.1]', 'localhost', 'LOCALHOST.', '169.254.169.254', 'metadata.google.internal', '10.0.0.8']) {
        const res = await h.connect('chatwoot', { baseUrl: `http://${host}:${port}`, apiToken: f.token, accountId: 1 });
        expect({ host, status: res.status, code: res.body.code }).toEqual({ host, status: 400, code: 'VALIDATION_FAILED' });
        expect(res.body.errors).toEqual([expect.objectContaining({ field: 'credentials.baseUrl', message: expect.stringMatching(/refused/) })]);
      }
      const stored = await app.get<Pool>(PG_POOL).query(`SELECT count(*)::int AS n FROM ingestion_sources_view WHERE kind = 'chatwoot'`);
      expect(stored.rows[0].n).toBe(0);
      expect(f.requests).toEqual([]);
    });

    it('refuses at connect time a host name that resolves to 127.0.0.1: the provider receives no request, so the token is never sent', async () => {
      const f = await start(new FakeChatwoot(2, `cw-token-${uuidv7()}`));
      f.contact(1, T0);
      f.conversation(21, 1, 3, T0);
      const g = await start(new FakeGong(`gong-key-${uuidv7()}`, 'gong-secret'));
      const port = (fake: FakeProvider) => new URL(fake.url).port;

      // Saved (the name looks public), unproven: the proof made when connecting was refused too.
      const cw = await h.connect('chatwoot', { baseUrl: `http://chatwoot.acme.inward.test:${port(f)}`, apiToken: f.token, accountId: 2 }).expect(201);
      expect(cw.body).toMatchObject({ accountVerified: false });
      const job = await h.syncViaApi(cw.body.id);
      expect(job).toMatchObject({ status: 'failed' });
      const source = await h.source(cw.body.id);
      expect(source).toMatchObject({ syncStatus: 'error', syncError: expect.stringMatching(/connecting to chatwoot\.acme\.inward\.test was refused: it is a loopback address/) });
      // The stored error names the host, never the address it resolved to.
      expect(source.syncError).not.toContain('127.0.0.1');

      const gong = await h.connect('gong', { accessKey: g.accessKey, secretKey: g.secretKey, baseUrl: `http://gong.acme.inward.test:${port(g)}` }).expect(201);
      expect(await h.syncViaApi(gong.body.id)).toMatchObject({ status: 'failed' });
      expect((await h.source(gong.body.id)).syncError).toMatch(/refused: it is a loopback address/);

      expect(f.requests).toEqual([]);
      expect(g.requests).toEqual([]);
    });
  });

  describe('with the fakes allowlisted (CONNECTOR_ALLOWED_HOSTS=127.0.0.1)', () => {
    let app: NestExpressApplication;
    let close: (() => Promise<void>) | undefined;
    let h: ReturnType<typeof helpers>;
    let ws: string;
    const logs: string[] = [];
    beforeAll(async () => {
      const booted = await boot({ CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', CONNECTOR_MAX_RESPONSE_BYTES: '16384' }, logs);
      ({ app, close, ws } = booted);
      h = helpers(app, booted.owner, booted.ws);
    });
    afterAll(() => close?.());

    const runner = () =>
      new ChatwootSyncRunner({
        pool: app.get<Pool>(PG_POOL),
        writer: app.get(MessageWriter),
        aggregates: app.get(IngestionAggregates),
        credentials: app.get(SourceCredentials),
        conversations: app.get(ConversationWriter),
        http: app.get(ConnectorHttp).options({ retry: { maxAttempts: 3, baseDelayMs: 10 } }),
      });
    const pullSource = async (id: string): Promise<PullSource> => {
      const r = (await app.get<Pool>(PG_POOL).query(`SELECT * FROM ingestion_sources_view WHERE id = $1`, [id])).rows[0];
      return { id: r.id, workspaceId: r.workspace_id, kind: r.kind, credentialsCiphertext: r.credentials_ciphertext, config: r.config };
    };
    /** Nowhere a workspace member or an operator reads: the source, its jobs, the event log, the logs. */
    const expectNoMarker = async (sourceId: string, jobIds: string[]) => {
      expect(JSON.stringify(await h.source(sourceId))).not.toContain('INTERNAL-ONLY');
      for (const j of jobIds) expect(JSON.stringify(await h.job(j))).not.toContain('INTERNAL-ONLY');
      const events = await app.get<Pool>(PG_POOL).query(`SELECT count(*)::int AS n FROM events WHERE workspace_id = $1 AND payload::text LIKE '%INTERNAL-ONLY%'`, [ws]);
      expect(events.rows[0].n).toBe(0);
      expect(logs.join('')).not.toContain('INTERNAL-ONLY');
    };

    it('a provider answering 500 with a body: syncError says "Chatwoot ... 500 Internal Server Error", never a byte of the body', async () => {
      const f = await start(new FakeChatwoot(3, `cw-token-${uuidv7()}`));
      f.conversation(31, 1, 2, T0);
      f.fail({ when: (r) => r.path.endsWith('/conversations'), status: 500, times: 100, body: { error: MARKER, trace: `<pre>${MARKER}</pre>` } });
      const cw = await h.connect('chatwoot', { baseUrl: f.url, apiToken: f.token, accountId: 3 }).expect(201);
      expect(cw.body).toMatchObject({ accountVerified: true });
      const failed = await runner().run(await pullSource(cw.body.id), { meta: { commandId: uuidv7(), workspaceId: ws, actorId: null, correlationId: uuidv7(), now: new Date() } });
      expect(failed).toMatchObject({ status: 'failed', errorCode: 'unreachable', error: expect.stringMatching(/^Try again later: .* What happened: Chatwoot GET \/api\/v1\/accounts\/3\/conversations failed after 3 attempts: 500 Internal Server Error$/) });
      expect(await h.source(cw.body.id)).toMatchObject({ syncStatus: 'error', syncError: failed.error });
      expect(f.requests.filter((r) => r.status === 500)).toHaveLength(3);
      await expectNoMarker(cw.body.id, [failed.jobId]);
    });

    it('a 4xx with a body, through the sync route: the status and a fixed description only', async () => {
      const f = await start(new FakeChatwoot(4, `cw-token-${uuidv7()}`));
      f.fail({ when: (r) => r.path.endsWith('/conversations'), status: 403, times: 100, body: { error: MARKER } });
      const cw = await h.connect('chatwoot', { baseUrl: f.url, apiToken: f.token, accountId: 4 }).expect(201);
      const job = await h.syncViaApi(cw.body.id);
      expect(job).toMatchObject({ status: 'failed' });
      expect(await h.source(cw.body.id)).toMatchObject({ syncErrorCode: 'permissions', syncError: expect.stringMatching(/^Grant the missing permissions: .* What happened: Chatwoot answered 403 Forbidden to GET \/api\/v1\/accounts\/4\/conversations$/) });
      await expectNoMarker(cw.body.id, [job.id ?? job.jobId]);
    });

    it('caps what it reads of an answer (CONNECTOR_MAX_RESPONSE_BYTES): over it the sync fails with a clear error', async () => {
      const f = await start(new FakeChatwoot(5, `cw-token-${uuidv7()}`));
      for (let i = 0; i < 25; i++) f.conversation(500 + i, 1, 1, T0 + i);
      const cw = await h.connect('chatwoot', { baseUrl: f.url, apiToken: f.token, accountId: 5 }).expect(201);
      expect(await h.syncViaApi(cw.body.id)).toMatchObject({ status: 'failed' });
      expect((await h.source(cw.body.id)).syncError.split(' What happened: ')[1]).toBe("Chatwoot's answer to GET /api/v1/accounts/5/conversations is larger than 16384 bytes (CONNECTOR_MAX_RESPONSE_BYTES); it was not read");
      // Not retried: more of the same answer would not fit either.
      expect(f.listRequests()).toHaveLength(1);
    });
  });
});
