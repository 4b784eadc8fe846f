import { createHmac, createSign, generateKeyPairSync, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { FakeSlack } from '@test/support/fakes/slack.fake';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

/** The fixtures are the providers' documented payloads; they are sent byte for byte as stored. */
const fixture = (name: string) => readFileSync(join(__dirname, '../support/fixtures/webhooks', name), 'utf8');
const hmacHex = (secret: string, ...parts: string[]) => parts.reduce((h, p) => h.update(p), createHmac('sha256', secret)).digest('hex');
const epoch = (secondsAgo = 0) => String(Math.floor(Date.now() / 1000) - secondsAgo);

const SLACK_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TELEGRAM_TOKEN = 'tg-secret_token-0123456789';
const CHATWOOT_SECRET = 'cw-webhook-secret-0123456789';
const FATHOM_SECRET = `whsec_${Buffer.from('fathom-webhook-secret-0123456789').toString('base64')}`;
const GONG_RELAY_SECRET = 'gong-relay-secret-0123456789';
const API_SECRET = 'api-webhook-secret-0123456789';

describe('ingestion: provider webhooks (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  let owner: SignedUp;
  let ws: string;
  const http = () => request(app.getHttpServer());
  // Slack's auth.test, how a bot token proves its team.
  const slackApi = new FakeSlack();

  beforeAll(async () => {
    await slackApi.start();
    testApp = await createTestApp({ env: { CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', SLACK_API_BASE_URL: slackApi.apiBase } });
    ({ app, pool } = testApp);
    owner = await signUp(app);
    ws = await createWorkspace(app, owner);
  });
  afterAll(async () => {
    await testApp?.close();
    await slackApi.close();
  });

  const connect = async (kind: string, name: string, credentials?: Record<string, unknown>, config?: Record<string, unknown>): Promise<string> =>
    (await http().post(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).send({ kind, name, credentials, config }).expect(201)).body.id;
  const post = (kind: string, sourceId: string, body: string, headers: Record<string, string>) =>
    http().post(`/api/v1/webhooks/${kind}/${sourceId}`).set('Content-Type', 'application/json').set(headers).send(body);
  const listed = async (sourceId: string) =>
    (await http().get(`/api/v1/workspaces/${ws}/messages`).query({ source: sourceId, limit: 500 }).set(owner.auth).expect(200)).body.items as Record<string, any>[];
  // Events the webhooks appended (actor `webhook:<kind>`); consumers such as noise scoring append their own, later.
  const events = async () => (await pool.query(`SELECT count(*)::int AS n FROM events WHERE workspace_id = $1 AND actor_id LIKE 'webhook:%'`, [ws])).rows[0].n as number;
  const deliveries = async (sourceId: string) => (await pool.query(`SELECT count(*)::int AS n FROM ingestion_webhook_deliveries WHERE source_id = $1`, [sourceId])).rows[0].n as number;
  const refused = (res: request.Response, status: number, code: string) => {
    expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  };
  /** Whatever the refused request was, the log and the deliveries are exactly as before. */
  const storesNothing = async (sourceId: string, send: () => Promise<request.Response>, status: number, code: string) => {
    const before = { events: await events(), deliveries: await deliveries(sourceId) };
    refused(await send(), status, code);
    expect({ events: await events(), deliveries: await deliveries(sourceId) }).toEqual(before);
  };

  describe('Slack Events API', () => {
    let source: string;
    const signed = (body: string, ts = epoch()) => ({ 'X-Slack-Request-Timestamp': ts, 'X-Slack-Signature': `v0=${hmacHex(SLACK_SECRET, `v0:${ts}:`, body)}` });
    const send = (name: string, extra: Record<string, string> = {}) => post('slack', source, fixture(name), { ...signed(fixture(name)), ...extra });

    beforeAll(async () => {
      source = await connect('slack', 'Acme Slack', { signingSecret: SLACK_SECRET }, { teamId: 'T123ABC456' });
    });

    it('answers the url_verification challenge (signed like every Slack request)', async () => {
      const res = await send('slack-url-verification.json').expect(200);
      expect(res.body).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
      await storesNothing(source, () => post('slack', source, fixture('slack-url-verification.json'), signed('{}')), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
    });

    it('stores a message and a thread reply; a retry (X-Slack-Retry-Num, same event_id) stores nothing new', async () => {
      expect((await send('slack-message.json').expect(200)).body).toEqual({ ok: true, stored: 1, duplicates: 0, updated: 0, ignored: 0, reasons: [] });
      expect((await send('slack-thread-reply.json').expect(200)).body).toMatchObject({ stored: 1 });
      const before = await events();
      const retry = await send('slack-message.json', { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' }).expect(200);
      expect(retry.body).toMatchObject({ ok: true, stored: 0, duplicates: 1 });
      expect(await events()).toBe(before);
      const items = await listed(source);
      expect(items.map((m) => m.externalId).sort()).toEqual(['C123ABC456:1772445600.000100', 'C123ABC456:1772445720.000200']);
      expect(items.find((m) => m.externalId === 'C123ABC456:1772445720.000200')).toMatchObject({
        sourceKind: 'slack', threadId: 'C123ABC456:1772445600.000100', isReply: true, channelId: 'C123ABC456', sentAt: '2026-03-02T10:02:00.000Z', author: { name: null, email: null, externalId: 'U987ZYX654' },
      });
    });

    it('applies message_changed as an edit and message_deleted as a deletion, once each', async () => {
      expect((await send('slack-message-changed.json').expect(200)).body).toMatchObject({ stored: 0, updated: 1 });
      // The same edit delivered again under another event id (Slack re-sends a message for a link preview): nothing appended.
      const echo = fixture('slack-message-changed.json').replace('Ev08MFMKH6ST', 'Ev08MFMKH7ZZ');
      const before = await events();
      expect((await post('slack', source, echo, signed(echo)).expect(200)).body).toMatchObject({ updated: 0, duplicates: 1 });
      expect(await events()).toBe(before);
      expect((await send('slack-message-deleted.json').expect(200)).body).toMatchObject({ updated: 1 });

      const items = await listed(source);
      expect(items).toEqual([expect.objectContaining({ externalId: 'C123ABC456:1772445600.000100', content: 'Customers keep asking for SSO with Okta and Azure AD before they renew', editedAt: '2026-03-02T10:05:00.000Z' })]);
      const replyId = (await pool.query(`SELECT id FROM ingestion_messages_view WHERE source_id = $1 AND external_id = $2`, [source, 'C123ABC456:1772445720.000200'])).rows[0].id;
      const reply = await http().get(`/api/v1/workspaces/${ws}/messages/${replyId}`).set(owner.auth).expect(200);
      expect(reply.body).toMatchObject({ processingState: 'deleted', deletedAt: '2026-03-02T10:06:40.000Z' });
    });

    it('refuses a bad signature, a stale timestamp and a missing signature with 401 problem+json, storing nothing', async () => {
      const body = fixture('slack-message.json').replace('Ev08MFMKH6PQ', 'Ev08MFMKH9AA').replace('1772445600.000100', '1772445999.000100');
      await storesNothing(source, () => post('slack', source, body, { 'X-Slack-Request-Timestamp': epoch(), 'X-Slack-Signature': `v0=${hmacHex('not-the-secret', `v0:${epoch()}:`, body)}` }), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
      // Signed with the right secret, but six minutes ago: a replay.
      await storesNothing(source, () => post('slack', source, body, signed(body, epoch(360))), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
      // The body is verified byte for byte: the same JSON re-serialized does not pass.
      await storesNothing(source, () => post('slack', source, JSON.stringify(JSON.parse(body)), signed(body)), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
      await storesNothing(source, () => post('slack', source, body, {}), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
      expect((await listed(source)).map((m) => m.externalId)).not.toContain('C123ABC456:1772445999.000100');
    });
  });

  describe('Telegram Bot API', () => {
    let source: string;
    const send = (name: string, token = TELEGRAM_TOKEN) => post('telegram', source, fixture(name), { 'X-Telegram-Bot-Api-Secret-Token': token });

    beforeAll(async () => {
      source = await connect('telegram', 'Support group', { secretToken: TELEGRAM_TOKEN });
    });

    it('stores a group message and a channel post; a redelivered update_id stores nothing new', async () => {
      expect((await send('telegram-message.json').expect(200)).body).toMatchObject({ ok: true, stored: 1 });
      expect((await send('telegram-channel-post.json').expect(200)).body).toMatchObject({ stored: 1 });
      const before = await events();
      expect((await send('telegram-message.json').expect(200)).body).toMatchObject({ stored: 0, duplicates: 1 });
      expect(await events()).toBe(before);
      expect((await listed(source)).map((m) => [m.externalId, m.channelName, m.author.name])).toEqual([
        ['-1001122334455:88', 'Acme release notes', 'Product team'],
        ['-1001987654321:4021', 'Acme x Initech support', 'Ada Moreau'],
      ]);
    });

    it('applies edited_message to the stored message', async () => {
      expect((await send('telegram-edited-message.json').expect(200)).body).toMatchObject({ updated: 1 });
      expect((await listed(source)).find((m) => m.externalId === '-1001987654321:4021')).toMatchObject({ content: 'Yes, the export stops at 10k rows; a streaming export ships in Q3', editedAt: '2026-03-02T11:01:00.000Z' });
    });

    it('refuses a wrong or missing secret token, storing nothing', async () => {
      const body = fixture('telegram-message.json').replace('912345678', '912345999').replace('"message_id": 4021', '"message_id": 5000');
      await storesNothing(source, () => post('telegram', source, body, { 'X-Telegram-Bot-Api-Secret-Token': `${TELEGRAM_TOKEN}x` }), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
      await storesNothing(source, () => post('telegram', source, body, {}), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
    });
  });

  describe('Chatwoot', () => {
    let source: string;
    const signed = (body: string, ts = epoch(), secret = CHATWOOT_SECRET) => ({ 'X-Chatwoot-Timestamp': ts, 'X-Chatwoot-Signature': `sha256=${hmacHex(secret, `${ts}.`, body)}` });
    const send = (name: string, delivery = uuidv7()) => post('chatwoot', source, fixture(name), { ...signed(fixture(name)), 'X-Chatwoot-Delivery': delivery });

    beforeAll(async () => {
      source = await connect('chatwoot', 'Support inbox', { baseUrl: 'https://chat.acme.example', apiToken: 'cw-api-token', accountId: 7, hmacToken: CHATWOOT_SECRET });
    });

    it('stores message_created; a redelivery stores nothing new', async () => {
      const delivery = uuidv7();
      expect((await send('chatwoot-message-created.json', delivery).expect(200)).body).toMatchObject({ ok: true, stored: 1 });
      const before = await events();
      expect((await send('chatwoot-message-created.json', delivery).expect(200)).body).toMatchObject({ stored: 0, duplicates: 1 });
      expect(await events()).toBe(before);
      expect(await listed(source)).toEqual([
        expect.objectContaining({ externalId: '9120', conversationId: '571', channelName: 'Acme Support', author: { name: 'Mia Chen', email: 'mia.chen@initech.example', externalId: 'contact:1204' } }),
      ]);
    });

    it('applies message_updated as an edit, then as a deletion (content_attributes.deleted)', async () => {
      expect((await send('chatwoot-message-updated.json').expect(200)).body).toMatchObject({ updated: 1 });
      expect((await listed(source))[0].content).toBe('Hi! Our invoices show the wrong VAT number (DE811907980) since the 4.1 update.');
      expect((await send('chatwoot-message-deleted.json').expect(200)).body).toMatchObject({ updated: 1 });
      expect(await listed(source)).toEqual([]);
    });

    it('keeps conversations and contacts as events with read models; personal data stays sealed in the log', async () => {
      expect((await send('chatwoot-conversation-created.json').expect(200)).body).toMatchObject({ updated: 2 });
      expect((await send('chatwoot-conversation-status-changed.json').expect(200)).body).toMatchObject({ updated: 1 });
      expect((await send('chatwoot-contact-updated.json').expect(200)).body).toMatchObject({ updated: 1 });
      const conversations = await pool.query(`SELECT external_id, status, inbox_id, assignee_id, contact_external_id FROM ingestion_conversations_view WHERE source_id = $1`, [source]);
      expect(conversations.rows).toEqual([{ external_id: '571', status: 'resolved', inbox_id: '3', assignee_id: '3', contact_external_id: '1204' }]);
      const contacts = await pool.query(`SELECT external_id, name, email, phone, subject_id FROM ingestion_source_contacts_view WHERE source_id = $1`, [source]);
      expect(contacts.rows).toEqual([{ external_id: '1204', name: 'Mia Chen-Lehmann', email: 'mia.chen@initech.example', phone: '+4915112345678', subject_id: expect.stringMatching(/^source-contact:[0-9a-f-]{36}$/) }]);
      const streams = await pool.query(`SELECT DISTINCT stream_type FROM events WHERE workspace_id = $1 AND stream_type IN ('conversation', 'source-contact')`, [ws]);
      expect(streams.rows.map((r) => r.stream_type).sort()).toEqual(['conversation', 'source-contact']);
      const clear = await pool.query(`SELECT count(*)::int AS n FROM events WHERE payload::text LIKE '%mia.chen@initech.example%' OR payload::text LIKE '%+4915112345678%'`);
      expect(clear.rows[0].n).toBe(0);
    });

    it('dedupes on the signed material, not the unsigned X-Chatwoot-Delivery: a replay under a fresh id cannot undo a newer edit', async () => {
      const withId = (name: string) => fixture(name).replace(/"id": 9120/g, '"id": 9140');
      const created = withId('chatwoot-message-created.json');
      expect((await post('chatwoot', source, created, { ...signed(created), 'X-Chatwoot-Delivery': uuidv7() }).expect(200)).body).toMatchObject({ stored: 1 });
      const first = withId('chatwoot-message-updated.json');
      const second = first.replace('since the 4.1 update.', 'since the 4.1 update (fixed in 4.2).');
      const firstHeaders = signed(first);
      expect((await post('chatwoot', source, first, { ...firstHeaders, 'X-Chatwoot-Delivery': uuidv7() }).expect(200)).body).toMatchObject({ updated: 1 });
      expect((await post('chatwoot', source, second, { ...signed(second), 'X-Chatwoot-Delivery': uuidv7() }).expect(200)).body).toMatchObject({ updated: 1 });
      // An attacker who saw the first edit replays it, byte for byte and signature included, under a fresh delivery id.
      const before = await events();
      expect((await post('chatwoot', source, first, { ...firstHeaders, 'X-Chatwoot-Delivery': uuidv7() }).expect(200)).body).toMatchObject({ stored: 0, updated: 0, duplicates: 1 });
      expect(await events()).toBe(before);
      expect((await listed(source)).find((m) => m.externalId === '9140')).toMatchObject({ content: 'Hi! Our invoices show the wrong VAT number (DE811907980) since the 4.1 update (fixed in 4.2).' });
    });

    it('a delivery id named first by a replay does not suppress the real delivery that carries it', async () => {
      const old = fixture('chatwoot-message-created.json').replace(/"id": 9120/g, '"id": 9150');
      const oldHeaders = signed(old);
      await post('chatwoot', source, old, { ...oldHeaders, 'X-Chatwoot-Delivery': uuidv7() }).expect(200);
      // The replay names the id Chatwoot will give its next delivery.
      await post('chatwoot', source, old, { ...oldHeaders, 'X-Chatwoot-Delivery': 'next-real-delivery' }).expect(200);
      const real = fixture('chatwoot-message-created.json').replace(/"id": 9120/g, '"id": 9151');
      expect((await post('chatwoot', source, real, { ...signed(real), 'X-Chatwoot-Delivery': 'next-real-delivery' }).expect(200)).body).toMatchObject({ stored: 1 });
      expect((await listed(source)).map((m) => m.externalId)).toContain('9151');
    });

    it('refuses a bad signature, a stale timestamp, an unsigned delivery; a source without the secret takes no webhook', async () => {
      const body = fixture('chatwoot-message-created.json').replace('"id": 9120', '"id": 9999');
      await storesNothing(source, () => post('chatwoot', source, body, signed(body, epoch(), 'wrong-secret')), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
      await storesNothing(source, () => post('chatwoot', source, body, signed(body, epoch(600))), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
      await storesNothing(source, () => post('chatwoot', source, body, {}), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
      const unsigned = await connect('chatwoot', 'Unsigned inbox', { baseUrl: 'https://chat.acme.example', apiToken: 'cw-api-token', accountId: 8 });
      const res = await post('chatwoot', unsigned, body, signed(body));
      refused(res, 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
      expect(res.body.detail).toMatch(/no webhook secret/);
      expect(await listed(unsigned)).toEqual([]);
    });
  });

  describe('Fathom (Standard Webhooks)', () => {
    let source: string;
    const signed = (body: string, id: string, at = new Date()) => ({ 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(FATHOM_SECRET).sign(id, at, body) });

    beforeAll(async () => {
      source = await connect('fathom', 'Fathom', { apiToken: 'fathom-api-key', webhookSecret: FATHOM_SECRET });
    });

    it('stores one message per transcript segment plus the summary; a redelivery (same webhook-id) or a resend stores nothing new', async () => {
      const body = fixture('fathom-new-meeting-content-ready.json');
      expect((await post('fathom', source, body, signed(body, 'msg_2x2zwLOcWaRTzsLK8KtbQt1FTk9')).expect(200)).body).toMatchObject({ ok: true, stored: 4 });
      const before = await events();
      expect((await post('fathom', source, body, signed(body, 'msg_2x2zwLOcWaRTzsLK8KtbQt1FTk9')).expect(200)).body).toMatchObject({ stored: 0, duplicates: 4 });
      expect((await post('fathom', source, body, signed(body, 'msg_resent_by_hand')).expect(200)).body).toMatchObject({ stored: 0, duplicates: 4 });
      expect(await events()).toBe(before);
      const items = await listed(source);
      expect(items.map((m) => m.externalId)).toEqual(['123456789:summary', '123456789:2', '123456789:1', '123456789:0']);
      expect(items.every((m) => m.threadId === 'fathom:123456789' && m.title === 'Initech renewal review')).toBe(true);
      expect(items[2]).toMatchObject({ content: 'We need SSO and audit logs before we can sign for three years.', author: { name: 'John Smith', email: 'john.smith@initech.example' }, sentAt: '2026-03-02T16:06:52.000Z' });
    });

    it('refuses a bad signature and a stale timestamp, storing nothing', async () => {
      const body = fixture('fathom-new-meeting-content-ready.json').replace('123456789', '987654321');
      await storesNothing(source, () => post('fathom', source, body, { ...signed(body, 'msg_x'), 'webhook-signature': 'v1,bm90IGEgc2lnbmF0dXJl' }), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
      await storesNothing(source, () => post('fathom', source, body, signed(body, 'msg_y', new Date(Date.now() - 10 * 60_000))), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
    });
  });

  describe('Gong', () => {
    let source: string;
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // Gong shows the rule's public key as bare base64 (no PEM armour).
    const gongKey = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const jwtFor = (body: string, claims: Record<string, unknown> = {}) => {
      const h = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
      const p = Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 300, webhook_url: `https://convo.acme.example/api/v1/webhooks/gong/${source}`, body_sha256: createHash('sha256').update(body).digest('hex'), ...claims })).toString('base64url');
      return `${h}.${p}.${createSign('RSA-SHA256').update(`${h}.${p}`).sign(privateKey).toString('base64url')}`;
    };

    beforeAll(async () => {
      source = await connect('gong', 'Gong', { accessKey: 'gong-access-key', secretKey: 'gong-secret-key', webhookSecret: GONG_RELAY_SECRET }, { webhookPublicKey: gongKey });
    });

    it('stores the call brief of an automation-rule webhook signed with the JWT header, and relayed transcripts signed with the secret', async () => {
      const call = fixture('gong-call-webhook.json');
      expect((await post('gong', source, call, { Authorization: jwtFor(call) }).expect(200)).body).toMatchObject({ ok: true, stored: 1 });
      const transcripts = fixture('gong-call-transcripts.json');
      expect((await post('gong', source, transcripts, { 'X-Signature': `sha256=${hmacHex(GONG_RELAY_SECRET, transcripts)}` }).expect(200)).body).toMatchObject({ stored: 3 });
      const before = await events();
      expect((await post('gong', source, transcripts, { 'X-Signature': `sha256=${hmacHex(GONG_RELAY_SECRET, transcripts)}` }).expect(200)).body).toMatchObject({ stored: 0, duplicates: 3 });
      expect(await events()).toBe(before);
      const items = await listed(source);
      expect(items.map((m) => m.externalId).sort()).toEqual(['5599332235511222779:14000', '5599332235511222779:460', '5599332235511222779:5600', '5599332235511222779:summary']);
      expect(items.find((m) => m.externalId.endsWith(':5600'))).toMatchObject({ author: { name: 'John Smith', email: 'john.smith@initech.example' }, threadId: 'gong:5599332235511222779' });
    });

    it('refuses a JWT of another key, an expired one, one without exp, one not valid yet, one for another body, and an unsigned request', async () => {
      const call = fixture('gong-call-webhook.json').replace(/5599332235511222779/g, '5599332235511222000');
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const [h, p] = jwtFor(call).split('.');
      const forged = `${h}.${p}.${createSign('RSA-SHA256').update(`${h}.${p}`).sign(other).toString('base64url')}`;
      await storesNothing(source, () => post('gong', source, call, { Authorization: forged }), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
      await storesNothing(source, () => post('gong', source, call, { Authorization: jwtFor(call, { exp: Math.floor(Date.now() / 1000) - 600 }) }), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
      // Correctly signed and bound to the body, but without exp: it would be valid forever.
      const noExp = await post('gong', source, call, { Authorization: jwtFor(call, { exp: undefined }) });
      refused(noExp, 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
      expect(noExp.body.detail).toMatch(/no exp claim/);
      await storesNothing(source, () => post('gong', source, call, { Authorization: jwtFor(call, { nbf: Math.floor(Date.now() / 1000) + 600 }) }), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
      await storesNothing(source, () => post('gong', source, call, { Authorization: jwtFor(fixture('gong-call-webhook.json')) }), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
      await storesNothing(source, () => post('gong', source, call, {}), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
    });
  });

  describe('generic signed JSON webhook (api, email)', () => {
    it('stores valid messages, reports the invalid ones, refuses a bad X-Signature', async () => {
      const source = await connect('api', 'CRM notes', { webhookSecret: API_SECRET });
      const body = fixture('signed-json-messages.json');
      const res = await post('api', source, body, { 'X-Signature': `sha256=${hmacHex(API_SECRET, body)}` }).expect(200);
      expect(res.body).toMatchObject({ ok: true, stored: 2, ignored: 1, reasons: [expect.stringContaining('crm-note-1003')] });
      expect((await listed(source)).map((m) => m.externalId).sort()).toEqual(['crm-note-1001', 'crm-note-1002']);
      await storesNothing(source, () => post('api', source, body.replace('1001', '2001'), { 'X-Signature': `sha256=${hmacHex(API_SECRET, body)}` }), 401, 'INGESTION.WEBHOOK_SIGNATURE_INVALID');
      const email = await connect('email', 'Shared inbox', { webhookSecret: API_SECRET });
      expect((await post('email', email, body, { 'X-Signature': `sha256=${hmacHex(API_SECRET, body)}` }).expect(200)).body).toMatchObject({ stored: 2 });
    });

    it('does not trust the unsigned X-Delivery-Id: a second body under a used id is taken, a replay of a body under a new id stores nothing', async () => {
      const source = await connect('api', 'CRM replays', { webhookSecret: API_SECRET });
      const sign = (b: string) => ({ 'X-Signature': `sha256=${hmacHex(API_SECRET, b)}` });
      const first = fixture('signed-json-messages.json');
      expect((await post('api', source, first, { ...sign(first), 'X-Delivery-Id': 'd-1' }).expect(200)).body).toMatchObject({ stored: 2 });
      const next = first.replace(/crm-note-100/g, 'crm-note-200');
      expect((await post('api', source, next, { ...sign(next), 'X-Delivery-Id': 'd-1' }).expect(200)).body).toMatchObject({ stored: 2 });
      const before = await events();
      expect((await post('api', source, first, { ...sign(first), 'X-Delivery-Id': 'd-fresh' }).expect(200)).body).toMatchObject({ stored: 0 });
      expect(await events()).toBe(before);
      expect((await listed(source)).map((m) => m.externalId).sort()).toEqual(['crm-note-1001', 'crm-note-1002', 'crm-note-2001', 'crm-note-2002']);
    });
  });

  describe('one message whichever way it arrives', () => {
    it('a Slack message imported from the export, then delivered by the Events API, is one message', async () => {
      const source = await connect('slack', 'Slack backfill', { signingSecret: SLACK_SECRET });
      const imported = await http()
        .post(`/api/v1/workspaces/${ws}/messages/import`)
        .set(owner.auth)
        .send({ source: { kind: 'slack', name: 'Slack backfill' }, messages: [{ externalId: 'C123ABC456:1772445600.000100', content: 'Customers keep asking for SSO with Okta before they renew', sentAt: '1772445600.000100', author: { externalId: 'U123ABC456' } }] })
        .expect(202);
      expect(imported.body).toMatchObject({ accepted: 1 });
      const body = fixture('slack-message.json');
      const ts = epoch();
      const res = await post('slack', source, body, { 'X-Slack-Request-Timestamp': ts, 'X-Slack-Signature': `v0=${hmacHex(SLACK_SECRET, `v0:${ts}:`, body)}` }).expect(200);
      expect(res.body).toMatchObject({ stored: 0, duplicates: 1 });
      expect((await listed(source)).map((m) => m.externalId)).toEqual(['C123ABC456:1772445600.000100']);
    });
  });

  describe('external account claims need proof', () => {
    const team = `T${uuidv7().replace(/-/g, '').slice(-10).toUpperCase()}`;
    const teamToken = `xoxb-${uuidv7()}`;
    const otherTeamToken = `xoxb-${uuidv7()}`;
    const connectIn = (workspace: string, user: SignedUp, credentials: Record<string, unknown>) =>
      http().post(`/api/v1/workspaces/${workspace}/sources`).set(user.auth).send({ kind: 'slack', name: `Slack ${uuidv7().slice(-6)}`, credentials: { signingSecret: SLACK_SECRET, ...credentials }, config: { teamId: team } });

    beforeAll(() => {
      slackApi.bot(teamToken, team).bot(otherTeamToken, 'T0OTHERTEAM');
    });

    it('naming a Slack team claims nothing; the workspace whose bot token proves the team binds it, and that proven claim then blocks others', async () => {
      const a = await signUp(app);
      const wsA = await createWorkspace(app, a);
      // Workspace A merely names team T: without a bot token, or with a token of another team.
      const named = await connectIn(wsA, a, {}).expect(201);
      expect(named.body).toMatchObject({ externalId: team, accountVerified: false });
      expect((await connectIn(wsA, a, { botToken: otherTeamToken }).expect(201)).body).toMatchObject({ accountVerified: false });
      const unproven = await http().post(`/api/v1/workspaces/${wsA}/sources/${named.body.id}/verify`).set(a.auth);
      refused(unproven, 422, 'INGESTION.ACCOUNT_NOT_VERIFIED');
      expect(unproven.body.detail).toMatch(/bot token/);

      // Workspace B proves T (auth.test answers T for its bot token): connected and bound.
      const b = await signUp(app);
      const wsB = await createWorkspace(app, b);
      const proven = await connectIn(wsB, b, { botToken: teamToken }).expect(201);
      expect(proven.body).toMatchObject({ externalId: team, accountVerified: true });
      expect(slackApi.requests.filter((r) => r.path === '/api/auth.test' && r.headers.authorization === `Bearer ${teamToken}`)).toHaveLength(1);

      // Now T is bound to B: another workspace is refused even with a valid token of T, and so is A adding one.
      const c = await signUp(app);
      const wsC = await createWorkspace(app, c);
      refused(await connectIn(wsC, c, { botToken: teamToken }), 409, 'INGESTION.SOURCE_EXTERNAL_ACCOUNT_TAKEN');
      refused(await http().patch(`/api/v1/workspaces/${wsA}/sources/${named.body.id}`).set(a.auth).send({ credentials: { signingSecret: SLACK_SECRET, botToken: teamToken } }), 409, 'INGESTION.SOURCE_EXTERNAL_ACCOUNT_TAKEN');
      refused(await http().post(`/api/v1/workspaces/${wsA}/sources/${named.body.id}/verify`).set(a.auth), 409, 'INGESTION.SOURCE_EXTERNAL_ACCOUNT_TAKEN');
      // B proving again changes nothing.
      expect((await http().post(`/api/v1/workspaces/${wsB}/sources/${proven.body.id}/verify`).set(b.auth).expect(200)).body).toMatchObject({ accountVerified: true });
    });
  });

  describe('routing', () => {
    it('answers 404 for an unknown source, a source of another kind, a malformed id and an inactive source; a kind without webhooks is 404 too', async () => {
      const slack = await connect('slack', 'Routing', { signingSecret: SLACK_SECRET });
      const body = fixture('slack-message.json');
      const headers = { 'X-Telegram-Bot-Api-Secret-Token': TELEGRAM_TOKEN };
      await storesNothing(slack, () => post('slack', uuidv7(), body, headers), 404, 'INGESTION.SOURCE_NOT_FOUND');
      await storesNothing(slack, () => post('telegram', slack, body, headers), 404, 'INGESTION.SOURCE_NOT_FOUND');
      await storesNothing(slack, () => post('slack', 'not-a-uuid', body, headers), 404, 'INGESTION.SOURCE_NOT_FOUND');
      await storesNothing(slack, () => post('fax', slack, body, headers), 404, 'INGESTION.WEBHOOK_KIND_MISMATCH');
      await storesNothing(slack, () => post('gmail', slack, body, headers), 404, 'INGESTION.WEBHOOK_KIND_MISMATCH');
      await http().delete(`/api/v1/workspaces/${ws}/sources/${slack}`).set(owner.auth).expect(204);
      const ts = epoch();
      await storesNothing(slack, () => post('slack', slack, body, { 'X-Slack-Request-Timestamp': ts, 'X-Slack-Signature': `v0=${hmacHex(SLACK_SECRET, `v0:${ts}:`, body)}` }), 404, 'INGESTION.SOURCE_NOT_FOUND');
    });

    it('needs no user token, and refuses a body that is not JSON', async () => {
      const source = await connect('telegram', 'Plain text', { secretToken: TELEGRAM_TOKEN });
      refused(await http().post(`/api/v1/webhooks/telegram/${source}`).set('Content-Type', 'text/plain').set('X-Telegram-Bot-Api-Secret-Token', TELEGRAM_TOKEN).send('hello'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      refused(await post('telegram', source, '{"update_id": ', { 'X-Telegram-Bot-Api-Secret-Token': TELEGRAM_TOKEN }), 400, 'VALIDATION_FAILED');
      const res = await post('telegram', source, '{"update_id": 1, "poll": {}}', { 'X-Telegram-Bot-Api-Secret-Token': TELEGRAM_TOKEN }).expect(200);
      expect(res.body).toMatchObject({ ok: true, stored: 0, ignored: 1, reasons: [expect.stringContaining('poll')] });
    });
  });
});
