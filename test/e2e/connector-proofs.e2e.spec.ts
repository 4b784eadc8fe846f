import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Global, Module } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { OUTBOUND_RESOLVER, ResolveAll } from '@libs/common/net/outbound-guard';
import { sourceAccountClaim } from '@modules/ingestion/infrastructure/ingestion-aggregates';
import { FakeChatwoot } from '@test/support/fakes/chatwoot.fake';
import { Answer, FakeProvider, SeenRequest } from '@test/support/fakes/fake-provider';
import { FakeGong } from '@test/support/fakes/gong.fake';
import { FakeSlack } from '@test/support/fakes/slack.fake';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

/**
 * Issue 11 item 10 (external account claims need proof) for every kind that names a provider
 * account, and item 3 (connectors cannot reach inward) for the account-proof calls themselves.
 * A source NAMES an account (Slack config.teamId, the Telegram bot id of the token, a Chatwoot
 * base URL + account, a Gong key); only a successful call with its credentials that answers that
 * account binds it (the `source-account` unique claim). A signed webhook is not a proof: its
 * secret is whatever the connecting admin typed.
 */

/** What a provider (or an internal service behind its URL) might answer: it must never reach a workspace. */
const MARKER = 'INTERNAL-ONLY-5d1e db_password=hunter2';
const fixture = (name: string) => readFileSync(join(__dirname, '../support/fixtures/webhooks', name), 'utf8');
const hmacHex = (secret: string, ...parts: string[]) => parts.reduce((h, p) => h.update(p), createHmac('sha256', secret)).digest('hex');
const epoch = () => String(Math.floor(Date.now() / 1000));
const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;
const TAKEN = 'INGESTION.SOURCE_EXTERNAL_ACCOUNT_TAKEN';
const NOT_VERIFIED = 'INGESTION.ACCOUNT_NOT_VERIFIED';

/**
 * Telegram's Bot API getMe (core.telegram.org/bots/api#getme): GET /bot<token>/getMe answers
 * `{ ok: true, result: User }` for a live token and 401 `{ ok: false, error_code, description }`
 * for any other. `answers` lets a token answer another bot than the one its prefix names.
 */
class FakeTelegram extends FakeProvider {
  private readonly tokens = new Map<string, string>();

  bot(token: string, answers: string = token.split(':')[0]): this {
    this.tokens.set(token, answers);
    return this;
  }

  getMeCalls(token: string): SeenRequest[] {
    return this.requests.filter((r) => r.path === `/bot${token}/getMe`);
  }

  protected authorize(): Answer | null {
    return null;
  }

  protected route(r: SeenRequest): Answer {
    const m = /^\/bot([^/]+)\/getMe$/.exec(r.path);
    if (!m) return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
    const id = this.tokens.get(decodeURIComponent(m[1]));
    if (!id) return { status: 401, body: { ok: false, error_code: 401, description: `Unauthorized ${MARKER}` } };
    return { status: 200, body: { ok: true, result: { id: Number(id), is_bot: true, first_name: `Support bot ${MARKER}`, username: 'acme_support_bot', can_join_groups: true } } };
  }
}

/** FakeSlack whose every answer also carries the marker (a body that must not be echoed). */
class MarkedSlack extends FakeSlack {
  protected override route(r: SeenRequest): Answer {
    const a = super.route(r);
    return { ...a, body: { ...(a.body as object), team: MARKER, warning: MARKER } };
  }
}

/**
 * FakeGong without its 3-calls-a-second limit: a proof is one attempt, and this test proves the
 * same key several times within a second (a 429 would read as "not proven", not as "taken").
 */
class UnthrottledGong extends FakeGong {
  protected override authorize(r: SeenRequest): Answer | null {
    const expected = `Basic ${Buffer.from(`${this.accessKey}:${this.secretKey}`).toString('base64')}`;
    return r.headers.authorization === expected ? null : { status: 401, body: { requestId: 'r-401', errors: ['Unauthorized'] } };
  }
}

/** `*.inward.test` resolves to 127.0.0.1, as a DNS name an attacker controls would. */
const resolveInward: ResolveAll = async (hostname) =>
  hostname.endsWith('.inward.test') ? [{ address: '127.0.0.1', family: 4 }] : Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));

@Global()
@Module({ providers: [{ provide: OUTBOUND_RESOLVER, useValue: resolveInward }], exports: [OUTBOUND_RESOLVER] })
class InwardResolverModule {}

interface Member {
  user: SignedUp;
  ws: string;
}

/** The test's view of one app: its API and who holds a provider account's unique claim. */
function client(testApp: () => TestApp) {
  const http = () => request(testApp().app.getHttpServer());
  const app = (): NestExpressApplication => testApp().app;
  return {
    http,
    member: async (): Promise<Member> => {
      const user = await signUp(app());
      return { user, ws: await createWorkspace(app(), user) };
    },
    connect: (m: Member, kind: string, credentials?: Record<string, unknown>, config?: Record<string, unknown>) =>
      http().post(`/api/v1/workspaces/${m.ws}/sources`).set(m.user.auth).send({ kind, name: `${kind} ${uuidv7().slice(-8)}`, credentials, config }),
    patch: (m: Member, id: string, body: Record<string, unknown>) => http().patch(`/api/v1/workspaces/${m.ws}/sources/${id}`).set(m.user.auth).send(body),
    verify: (m: Member, id: string) => http().post(`/api/v1/workspaces/${m.ws}/sources/${id}/verify`).set(m.user.auth),
    source: async (m: Member, id: string) => (await http().get(`/api/v1/workspaces/${m.ws}/sources/${id}`).set(m.user.auth).expect(200)).body,
    sources: async (m: Member) => (await http().get(`/api/v1/workspaces/${m.ws}/sources`).set(m.user.auth).expect(200)).body.items as unknown[],
    webhook: (kind: string, sourceId: string, body: string, headers: Record<string, string>) =>
      http().post(`/api/v1/webhooks/${kind}/${sourceId}`).set('Content-Type', 'application/json').set(headers).send(body),
    /** The source holding the account's claim (the claim stream's last event), or null when nobody does. */
    claimHolder: async (kind: string, externalId: string): Promise<string | null> => {
      const r = await testApp().pool.query(`SELECT event_type, payload->>'owner' AS owner FROM events WHERE stream_id = $1 ORDER BY stream_version DESC LIMIT 1`, [
        sourceAccountClaim.streamId({ kind, externalId }),
      ]);
      return r.rows[0]?.event_type === 'uniqueness.value-claimed' ? (r.rows[0].owner as string) : null;
    },
  };
}

const refused = (res: request.Response, status: number, code: string) => {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
};

describe('connector account proofs: a named account binds nothing until its credentials prove it (e2e)', () => {
  const fakes: FakeProvider[] = [];
  const start = async <F extends FakeProvider>(f: F): Promise<F> => {
    fakes.push(f);
    return f.start();
  };
  afterAll(async () => {
    await Promise.all(fakes.map((f) => f.close()));
  });

  describe('with the fakes allowlisted (CONNECTOR_ALLOWED_HOSTS=127.0.0.1): the proof reaches the provider', () => {
    let testApp: TestApp | undefined;
    const h = client(() => testApp!);
    let slack: FakeSlack;
    let telegram: FakeTelegram;

    beforeAll(async () => {
      slack = await start(new FakeSlack());
      telegram = await start(new FakeTelegram());
      testApp = await createTestApp({ env: { CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', SLACK_API_BASE_URL: slack.apiBase, TELEGRAM_API_BASE_URL: telegram.url } });
    });
    afterAll(() => testApp?.close());

    /** One kind that binds an account: credentials that only name it, credentials that prove it, and a webhook its source takes. */
    interface ProvableKind {
      kind: 'slack' | 'telegram' | 'chatwoot' | 'gong';
      config?: Record<string, unknown>;
      /** Credentials that name the account without proving it, with the reason the proof fails. */
      naming: { credentials: Record<string, unknown>; reason: RegExp; mustNotShow: string[] }[];
      /** Credentials that prove it (each connect in the test also carries the webhook secret). */
      proving: Record<string, unknown>;
      /** The externalId the source names (null: read it from the first connect, e.g. Gong's key hash). */
      externalId: string | null;
      /** A webhook the source verifies with its own secret (in `naming`), and how many messages it stores. */
      webhook: (sourceId: string) => { body: string; headers: Record<string, string>; stores: number };
      /** Requests the provider received carrying the proving credentials. */
      proofCalls: () => number;
    }

    /**
     * (a) Naming binds nothing: each unproving credential set connects (201, accountVerified false),
     * POST verify says why (422), nobody holds the claim, and a member of another workspace may
     * name it too. (c) A webhook signed with the source's own secret is taken (it authenticates the
     * delivery, not the account) and still binds nothing. (b) The proof binds: one call with the
     * proving credentials, the claim held by that source; after it, proving it from another
     * workspace is 409 with nothing saved, the unproven source cannot take it with the right
     * credentials either, and merely naming it still connects, unbound.
     */
    async function namingBindsNothingProofBinds(c: ProvableKind): Promise<void> {
      const a = await h.member();
      const namedIds: string[] = [];
      let externalId = c.externalId;
      for (const n of c.naming) {
        const res = await h.connect(a, c.kind, n.credentials, c.config).expect(201);
        externalId ??= res.body.externalId as string;
        expect(res.body).toMatchObject({ kind: c.kind, externalId, accountVerified: false });
        const why = await h.verify(a, res.body.id);
        refused(why, 422, NOT_VERIFIED);
        expect(why.body.detail).toMatch(n.reason);
        for (const hidden of [MARKER, ...n.mustNotShow]) expect(JSON.stringify(why.body)).not.toContain(hidden);
        namedIds.push(res.body.id);
      }
      expect(externalId).toEqual(expect.any(String));
      const account = externalId!;
      expect(await h.claimHolder(c.kind, account)).toBeNull();

      // (c) A signed delivery to the unproven source: stored under its own secret, and still no proof.
      const hook = c.webhook(namedIds[0]);
      expect((await h.webhook(c.kind, namedIds[0], hook.body, hook.headers).expect(200)).body).toMatchObject({ ok: true, stored: hook.stores });
      expect(await h.source(a, namedIds[0])).toMatchObject({ externalId: account, accountVerified: false });
      expect(await h.claimHolder(c.kind, account)).toBeNull();

      // Another workspace naming the same account is not blocked by A's naming.
      const other = await h.member();
      expect((await h.connect(other, c.kind, c.naming[0].credentials, c.config).expect(201)).body).toMatchObject({ externalId: account, accountVerified: false });

      // (b) The proof binds it to the workspace whose credentials answer for it.
      const b = await h.member();
      const callsBefore = c.proofCalls();
      const proven = await h.connect(b, c.kind, c.proving, c.config).expect(201);
      expect(proven.body).toMatchObject({ kind: c.kind, externalId: account, accountVerified: true });
      expect(c.proofCalls() - callsBefore).toBe(1);
      expect(await h.claimHolder(c.kind, account)).toBe(proven.body.id);

      // Then it blocks: another workspace with valid credentials of the account is refused and saves nothing ...
      const late = await h.member();
      refused(await h.connect(late, c.kind, c.proving, c.config), 409, TAKEN);
      expect(await h.sources(late)).toEqual([]);
      // ... so is A's unproven source given the proving credentials, and its verify.
      refused(await h.patch(a, namedIds[0], { credentials: c.proving }), 409, TAKEN);
      refused(await h.verify(a, namedIds[0]), 409, TAKEN);
      expect(await h.source(a, namedIds[0])).toMatchObject({ accountVerified: false });
      // Naming it is still harmless: connected, unbound, the claim unchanged.
      expect((await h.connect(await h.member(), c.kind, c.naming[0].credentials, c.config).expect(201)).body).toMatchObject({ accountVerified: false });
      expect(await h.claimHolder(c.kind, account)).toBe(proven.body.id);
      // B proving again is idempotent.
      expect((await h.verify(b, proven.body.id).expect(200)).body).toMatchObject({ accountVerified: true });
      expect(await h.claimHolder(c.kind, account)).toBe(proven.body.id);

      // A source lets go of what it no longer proves: credentials that only name an account free the claim ...
      expect((await h.patch(b, proven.body.id, { credentials: c.naming[0].credentials }).expect(200)).body).toMatchObject({ accountVerified: false });
      expect(await h.claimHolder(c.kind, account)).toBeNull();
      expect((await h.patch(b, proven.body.id, { credentials: c.proving }).expect(200)).body).toMatchObject({ externalId: account, accountVerified: true });
      expect(await h.claimHolder(c.kind, account)).toBe(proven.body.id);
      // ... and so does deleting it: the account's owner connects it in another workspace.
      await h.http().delete(`/api/v1/workspaces/${b.ws}/sources/${proven.body.id}`).set(b.user.auth).expect(204);
      expect(await h.source(b, proven.body.id)).toMatchObject({ active: false, accountVerified: false });
      expect(await h.claimHolder(c.kind, account)).toBeNull();
      const moved = await h.connect(late, c.kind, c.proving, c.config).expect(201);
      expect(moved.body).toMatchObject({ externalId: account, accountVerified: true });
      expect(await h.claimHolder(c.kind, account)).toBe(moved.body.id);
      // Reactivated, the old source finds the account taken: its proof is refused, nothing moves.
      await h.patch(b, proven.body.id, { active: true }).expect(200);
      refused(await h.verify(b, proven.body.id), 409, TAKEN);
      expect(await h.claimHolder(c.kind, account)).toBe(moved.body.id);
    }

    it('Slack: config.teamId names the team; only auth.test answering that team for the bot token binds it', async () => {
      const team = `T${uuidv7().replace(/-/g, '').slice(-10).toUpperCase()}`;
      const signingSecret = secret('slack-signing');
      const teamToken = `xoxb-${secret('team')}`;
      const otherTeamToken = `xoxb-${secret('other')}`;
      const revokedToken = `xoxb-${secret('revoked')}`;
      slack.bot(teamToken, team).bot(otherTeamToken, 'T0OTHERTEAM');
      await namingBindsNothingProofBinds({
        kind: 'slack',
        config: { teamId: team },
        naming: [
          { credentials: { signingSecret }, reason: /a bot token \(credentials\.botToken\) is needed/, mustNotShow: [signingSecret] },
          { credentials: { signingSecret, botToken: otherTeamToken }, reason: /belongs to another Slack team/, mustNotShow: [otherTeamToken, 'T0OTHERTEAM'] },
          { credentials: { signingSecret, botToken: revokedToken }, reason: /Slack refused the bot token \(auth\.test: invalid_auth\)/, mustNotShow: [revokedToken] },
        ],
        proving: { signingSecret, botToken: teamToken },
        externalId: team,
        // An event that says it comes from the team, signed with the secret the admin typed.
        webhook: () => {
          const body = fixture('slack-message.json').replaceAll('T123ABC456', team);
          const ts = epoch();
          return { body, headers: { 'X-Slack-Request-Timestamp': ts, 'X-Slack-Signature': `v0=${hmacHex(signingSecret, `v0:${ts}:`, body)}` }, stores: 1 };
        },
        proofCalls: () => slack.requests.filter((r) => r.path === '/api/auth.test' && r.headers.authorization === `Bearer ${teamToken}`).length,
      });
    });

    it('Telegram: the bot token names its bot; only getMe answering that bot binds it', async () => {
      const botId = String(7_000_000_000 + Math.floor(Math.random() * 900_000_000));
      const secretToken = secret('tg-secret');
      const liveToken = `${botId}:${secret('AA')}`;
      const forgedToken = `${botId}:${secret('forged')}`;
      const otherBotToken = `${botId}:${secret('other')}`;
      telegram.bot(liveToken).bot(otherBotToken, '6000000001');
      await namingBindsNothingProofBinds({
        kind: 'telegram',
        naming: [
          // Anyone can write a token with a public bot id in front: getMe answers 401.
          { credentials: { secretToken, botToken: forgedToken }, reason: /Telegram answered 401 Unauthorized to GET getMe$/, mustNotShow: [forgedToken, forgedToken.split(':')[1]] },
          { credentials: { secretToken, botToken: otherBotToken }, reason: /the bot token answers for another bot/, mustNotShow: [otherBotToken.split(':')[1], '6000000001'] },
        ],
        proving: { secretToken, botToken: liveToken },
        externalId: botId,
        webhook: () => ({ body: fixture('telegram-message.json'), headers: { 'X-Telegram-Bot-Api-Secret-Token': secretToken }, stores: 1 }),
        proofCalls: () => telegram.getMeCalls(liveToken).length,
      });
    });

    it('Telegram: a source without a bot token names no bot, so it claims nothing and there is nothing to prove', async () => {
      const a = await h.member();
      const res = await h.connect(a, 'telegram', { secretToken: secret('tg-secret') }).expect(201);
      expect(res.body).toMatchObject({ externalId: null, accountVerified: false });
      // Nothing named, nothing to prove: verify answers the source as it is, without calling Telegram.
      const before = telegram.requests.length;
      expect((await h.verify(a, res.body.id).expect(200)).body).toMatchObject({ externalId: null, accountVerified: false });
      expect(telegram.requests.length).toBe(before);
    });

    it('Chatwoot: base URL + account id name the account; only a token whose profile lists that account binds it', async () => {
      const accountId = 4000 + Math.floor(Math.random() * 1000);
      const f = await start(new FakeChatwoot(accountId, secret('cw-token')));
      const hmacToken = secret('cw-hmac');
      const wrongToken = secret('cw-wrong');
      await namingBindsNothingProofBinds({
        kind: 'chatwoot',
        naming: [{ credentials: { baseUrl: f.url, apiToken: wrongToken, accountId, hmacToken }, reason: /Chatwoot answered 401 Unauthorized to GET/, mustNotShow: [wrongToken, 'sign in'] }],
        proving: { baseUrl: f.url, apiToken: f.token, accountId, hmacToken },
        externalId: `${f.url}#${accountId}`,
        webhook: () => {
          const body = fixture('chatwoot-message-created.json');
          const ts = epoch();
          return { body, headers: { 'X-Chatwoot-Timestamp': ts, 'X-Chatwoot-Signature': `sha256=${hmacHex(hmacToken, `${ts}.`, body)}`, 'X-Chatwoot-Delivery': uuidv7() }, stores: 1 };
        },
        proofCalls: () => f.requests.filter((r) => r.path === '/api/v1/profile' && r.headers.api_access_token === f.token).length,
      });
    });

    it('Chatwoot: a valid token that is not a member of the named account proves nothing', async () => {
      const f = await start(new FakeChatwoot(5100, secret('cw-token')));
      const a = await h.member();
      const res = await h.connect(a, 'chatwoot', { baseUrl: f.url, apiToken: f.token, accountId: 5101 }).expect(201);
      expect(res.body).toMatchObject({ externalId: `${f.url}#5101`, accountVerified: false });
      expect(f.requests.filter((r) => r.path === '/api/v1/profile' && r.status === 200)).toHaveLength(1);
      const why = await h.verify(a, res.body.id);
      refused(why, 422, NOT_VERIFIED);
      expect(why.body.detail).toMatch(/the Chatwoot token is not a member of account 5101/);
      expect(await h.claimHolder('chatwoot', `${f.url}#5101`)).toBeNull();
      // The account the token is a member of is not bound by it either: the source never named it.
      expect(await h.claimHolder('chatwoot', `${f.url}#5100`)).toBeNull();
    });

    it('Gong: the access key (hashed, with a non-default base URL) names the account; only an authenticated call with the key pair binds it', async () => {
      const g = await start(new UnthrottledGong(secret('gong-key'), secret('gong-secret')));
      const webhookSecret = secret('gong-relay');
      const wrongSecret = secret('gong-wrong');
      await namingBindsNothingProofBinds({
        kind: 'gong',
        naming: [{ credentials: { accessKey: g.accessKey, secretKey: wrongSecret, baseUrl: g.url, webhookSecret }, reason: /Gong answered 401 Unauthorized to GET/, mustNotShow: [wrongSecret, g.accessKey, 'r-401'] }],
        proving: { accessKey: g.accessKey, secretKey: g.secretKey, baseUrl: g.url, webhookSecret },
        // The key is half a credential: the name is its hash, read from the first source.
        externalId: null,
        webhook: () => {
          const body = fixture('gong-call-transcripts.json');
          return { body, headers: { 'X-Signature': `sha256=${hmacHex(webhookSecret, body)}` }, stores: 3 };
        },
        proofCalls: () => g.requests.filter((r) => r.path === '/v2/workspaces' && r.status === 200).length,
      });
      // The key never appears in clear in a source's name.
      const row = await testApp!.pool.query(`SELECT DISTINCT external_id FROM ingestion_sources_view WHERE kind = 'gong'`);
      expect(row.rows.map((r) => r.external_id)).toEqual([expect.stringMatching(new RegExp(`^key-sha256:[0-9a-f]{32}@${g.url.replace(/[.]/g, '\\.')}$`))]);
      expect(JSON.stringify(row.rows)).not.toContain(g.accessKey);
    });

    it('kinds whose account cannot be proven (fathom, email, api; gmail reads a linked account, ingestion-gmail.e2e): config.externalId is a label, never bound, whoever names it', async () => {
      const apiSecret = secret('api-hook');
      const credentialsOf: Record<string, Record<string, unknown> | undefined> = { fathom: { apiToken: secret('fathom') }, email: undefined, api: { webhookSecret: apiSecret } };
      const [a, b] = [await h.member(), await h.member()];
      const apiSources: string[] = [];
      for (const kind of ['fathom', 'email', 'api']) {
        const externalId = `acct-${kind}-${uuidv7()}`;
        for (const m of [a, b]) {
          const res = await h.connect(m, kind, credentialsOf[kind], { externalId }).expect(201);
          expect(res.body).toMatchObject({ kind, externalId, accountVerified: false });
          const why = await h.verify(m, res.body.id);
          refused(why, 422, NOT_VERIFIED);
          expect(why.body.detail).toBe(`The ${kind} account could not be proven: the account of a ${kind} source cannot be proven with its credentials`);
          if (kind === 'api') apiSources.push(res.body.id);
        }
        expect(await h.claimHolder(kind, externalId)).toBeNull();
      }
      // A signed delivery is taken and proves nothing.
      const body = fixture('signed-json-messages.json');
      const hooked = await h.webhook('api', apiSources[0], body, { 'X-Signature': `sha256=${hmacHex(apiSecret, body)}` }).expect(200);
      expect(hooked.body).toMatchObject({ ok: true, stored: expect.any(Number) });
      expect(hooked.body.stored).toBeGreaterThan(0);
      expect(await h.source(a, apiSources[0])).toMatchObject({ accountVerified: false });
    });
  });

  /**
   * Without CONNECTOR_ALLOWED_HOSTS the operator's SLACK_API_BASE_URL / TELEGRAM_API_BASE_URL are
   * checked like any connector address, at connect time: a literal loopback address, and a name
   * that only resolves to one (which no check at save time can see).
   */
  describe.each([
    { form: 'a name resolving to 127.0.0.1', host: (kind: string) => `${kind}.inward.test`, hidesAddress: true },
    { form: 'the literal 127.0.0.1', host: () => '127.0.0.1', hidesAddress: false },
  ])('no allowlist (the default), the provider API at $form: the Slack and Telegram proof calls cannot reach inward', ({ host, hidesAddress }) => {
    let testApp: TestApp | undefined;
    const h = client(() => testApp!);
    const logs: string[] = [];
    let slack: MarkedSlack;
    let telegram: FakeTelegram;
    const team = 'T0INWARD01';
    const slackToken = `xoxb-${secret('inward')}`;
    const botId = '7100000001';
    const telegramToken = `${botId}:${secret('AAinward')}`;
    const escaped = (kind: string) => host(kind).replace(/[.]/g, '\\.');

    beforeAll(async () => {
      // The fakes would prove both tokens if they were reached (the allowlisted tests show they answer).
      slack = await start(new MarkedSlack());
      slack.bot(slackToken, team);
      telegram = await start(new FakeTelegram());
      telegram.bot(telegramToken);
      const port = (f: FakeProvider) => new URL(f.url).port;
      testApp = await createTestApp({
        env: { LOG_LEVEL: 'info', SLACK_API_BASE_URL: `http://${host('slack')}:${port(slack)}/api`, TELEGRAM_API_BASE_URL: `http://${host('telegram')}:${port(telegram)}` },
        extraModules: [InwardResolverModule],
        logLines: logs,
      });
      expect(testApp.config.CONNECTOR_ALLOWED_HOSTS).toBe('');
    });
    afterAll(() => testApp?.close());

    /** Connect, replace the credentials, verify: each proof attempt is refused before a byte is sent. */
    async function refusedInward(kind: 'slack' | 'telegram', credentials: Record<string, unknown>, config: Record<string, unknown> | undefined, externalId: string, refusal: RegExp, token: string) {
      const m = await h.member();
      const res = await h.connect(m, kind, credentials, config).expect(201);
      expect(res.body).toMatchObject({ externalId, accountVerified: false });
      expect((await h.patch(m, res.body.id, { credentials }).expect(200)).body).toMatchObject({ accountVerified: false });
      const why = await h.verify(m, res.body.id);
      refused(why, 422, NOT_VERIFIED);
      expect(why.body.detail).toMatch(refusal);
      // The error carries no token and no provider body; given a name, it names the host, not the address it resolved to.
      const shown = JSON.stringify([why.body, await h.source(m, res.body.id)]);
      for (const hidden of [token, MARKER, 'INTERNAL-ONLY', ...(hidesAddress ? ['127.0.0.1'] : [])]) expect(shown).not.toContain(hidden);
      expect(await h.source(m, res.body.id)).toMatchObject({ accountVerified: false });
      expect(await h.claimHolder(kind, externalId)).toBeNull();
    }

    it('Slack auth.test is refused: Slack receives nothing, the token is never sent', async () => {
      await refusedInward(
        'slack',
        { signingSecret: secret('slack-signing'), botToken: slackToken },
        { teamId: team },
        team,
        new RegExp(`^The slack account could not be proven: Slack POST auth\\.test not sent: connecting to ${escaped('slack')} was refused: it is a loopback address`),
        slackToken,
      );
      expect(slack.requests).toEqual([]);
      expect(logs.join('\n')).not.toContain(slackToken);
    });

    it('Telegram getMe is refused: Telegram receives nothing, the token is never sent', async () => {
      await refusedInward(
        'telegram',
        { secretToken: secret('tg-secret'), botToken: telegramToken },
        undefined,
        botId,
        new RegExp(`^The telegram account could not be proven: Telegram GET getMe not sent: connecting to ${escaped('telegram')} was refused: it is a loopback address`),
        telegramToken.split(':')[1],
      );
      expect(telegram.requests).toEqual([]);
      expect(logs.join('\n')).not.toContain(telegramToken.split(':')[1]);
    });
  });
});
