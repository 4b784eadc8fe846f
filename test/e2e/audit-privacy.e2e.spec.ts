import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { CREDENTIAL_FIELD_NAME, SECRET_WITHHELD } from '@libs/event-store/audit-visibility';
import { EventTypeRegistry } from '@libs/event-store/event-type-registry';
import { eventually } from '@test/support/eventually';
import { createWorkspace, linkOAuthAccount, signUpVerified, SignedUp } from '@test/support/identity-client';
import { routeTable, RouteInfo } from '@test/support/route-table';
import { createTestApp, TestApp } from '@test/support/test-app';

const ADMIN_EMAIL = 'platform-admin@example.com';
const ADMIN_PASSWORD = 'a long platform admin passphrase';
const OPERATOR_TOKEN = 'e2e-audit-privacy-operator-token-0123456789';

/**
 * The audit is no side door (issue 11, item 1): the workspace audit needs the admin role; an AI
 * conversation is shown by no audit route to anyone but its asker (workspace admins, API keys,
 * the operator and platform superusers included); credential material is withheld from every
 * audit answer, the platform admin's included. The audit routes are enumerated from the router,
 * so a new audit route is checked without anyone remembering to add it here.
 */
describe('audit privacy: roles, private-to-actor streams, withheld credentials (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let ws: string;
  let owner: SignedUp;
  let admin: SignedUp;
  let member: SignedUp;
  let viewer: SignedUp;
  let adminKey: string;
  let viewerKey: string;
  let superuser: { Authorization: string };
  // What the owner asked: a marker that must never reach anyone else.
  const question = `Where is the salary review of ${uuidv7()}?`;
  const askRequestId = uuidv7();
  let conversationId: string;
  let auditRoutes: RouteInfo[];

  const http = () => request(app.getHttpServer());
  const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

  // Members are added only with a verified email.
  const verifiedUser = () => signUpVerified(app);

  beforeAll(async () => {
    testApp = await createTestApp({ env: { BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL, BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD, ADMIN_TOKEN: OPERATOR_TOKEN } });
    app = testApp.app;
    auditRoutes = routeTable(app).filter((r) => r.method === 'GET' && /\/audit\/|\/admin\/events/.test(r.path));

    owner = await verifiedUser();
    ws = await createWorkspace(app, owner);
    [admin, member, viewer] = [await verifiedUser(), await verifiedUser(), await verifiedUser()];
    for (const [u, role] of [[admin, 'admin'], [member, 'member'], [viewer, 'viewer']] as const) {
      await http().post(`/api/v1/workspaces/${ws}/members`).set(owner.auth).send({ email: u.email, role }).expect(201);
    }
    adminKey = (await http().post(`/api/v1/workspaces/${ws}/api-keys`).set(owner.auth).send({ name: 'automation', role: 'admin' }).expect(201)).body.key;
    viewerKey = (await http().post(`/api/v1/workspaces/${ws}/api-keys`).set(owner.auth).send({ name: 'dashboard', role: 'viewer' }).expect(201)).body.key;
    const login = await http().post('/api/v1/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }).expect(200);
    superuser = bearer(login.body.accessToken);

    // Credential material of every kind the platform writes into its log.
    await http().post(`/api/v1/workspaces/${ws}/members`).set(owner.auth).send({ email: `invitee-${uuidv7()}@example.com`, role: 'member' }).expect(201);
    await http().post('/api/v1/auth/refresh').send({ refreshToken: owner.refreshToken }).expect(200);
    await http().post('/api/v1/auth/password-reset').send({ email: member.email }).expect(202);
    await http().post(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).send({ kind: 'slack', name: 'Slack', credentials: { signingSecret: 'slack-signing-secret-of-the-test' } }).expect(201);
    await linkOAuthAccount(app, owner);

    const asked = await http().post(`/api/v1/workspaces/${ws}/ask`).set(owner.auth).set('X-Request-Id', askRequestId).send({ question }).expect(200);
    conversationId = asked.body.conversationId;
    // The owner sees their own conversation through the workspace audit (so the checks below can fail).
    await eventually(async () => {
      const own = await http().get(`/api/v1/workspaces/${ws}/audit/events`).query({ streamId: `ai-conversation-${conversationId}` }).set(owner.auth).expect(200);
      expect(JSON.stringify(own.body)).toContain(question);
    });
  });

  afterAll(() => testApp?.close());

  /** The URL of an audit route with its parameters pointing at the conversation. */
  const urlOf = (r: RouteInfo) =>
    r.path
      .replace(':workspaceId', ws)
      .replace(':streamId', encodeURIComponent(`ai-conversation-${conversationId}`))
      .replace(':correlationId', encodeURIComponent(askRequestId));

  /** Every way to ask one audit route about the conversation: by stream, by request, by event type, unfiltered. */
  const queriesOf = (r: RouteInfo): Record<string, string>[] =>
    r.path.endsWith('/events') || r.path.endsWith('/export')
      ? [{}, { streamId: `ai-conversation-${conversationId}` }, { correlationId: askRequestId }, { eventType: 'knowledge.ai-conversation-user-message-added' }, { streamType: 'ai-conversation' }]
      : [{}];

  it('finds every audit route (workspace and admin) in the router', () => {
    const paths = auditRoutes.map((r) => r.path).sort();
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/workspaces/:workspaceId/audit/events',
        '/api/v1/workspaces/:workspaceId/audit/events/export',
        '/api/v1/workspaces/:workspaceId/audit/streams/:streamId',
        '/api/v1/workspaces/:workspaceId/audit/correlations/:correlationId',
        '/api/v1/admin/events',
        '/api/v1/admin/events/export',
        '/api/v1/admin/audit/streams/:streamId',
        '/api/v1/admin/audit/correlations/:correlationId',
      ]),
    );
    // Every workspace audit route needs the admin role.
    expect(auditRoutes.filter((r) => r.path.includes(':workspaceId') && r.minWorkspaceRole !== 'admin').map((r) => r.path)).toEqual([]);
  });

  it('refuses the workspace audit to members, viewers and viewer API keys with 403 problem+json', async () => {
    const wrong: string[] = [];
    for (const r of auditRoutes.filter((x) => x.path.includes(':workspaceId'))) {
      for (const [who, headers] of [
        ['member', member.auth],
        ['viewer', viewer.auth],
        ['viewer API key', { 'X-API-Key': viewerKey }],
      ] as const) {
        const res = await http().get(urlOf(r)).set(headers);
        if (res.status !== 403 || res.body.code !== 'FORBIDDEN' || !/problem\+json/.test(String(res.headers['content-type']))) wrong.push(`${who} ${r.path} -> ${res.status}`);
        if (JSON.stringify(res.body).includes(question)) wrong.push(`${who} ${r.path} leaked the question`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("shows another user's conversation on no audit route to anyone: workspace admin, admin API key, operator, platform superuser", async () => {
    const others = [
      ['workspace admin', admin.auth],
      ['admin API key', { 'X-API-Key': adminKey }],
      ['operator token', bearer(OPERATOR_TOKEN)],
      ['platform superuser', superuser],
    ] as const;
    const wrong: string[] = [];
    let answered = 0;
    for (const r of auditRoutes) {
      for (const query of queriesOf(r)) {
        for (const [who, headers] of others) {
          const res = await http().get(urlOf(r)).query(query).set(headers).buffer(true).parse((response, done) => {
            let text = '';
            response.on('data', (c: Buffer) => (text += c.toString()));
            response.on('end', () => done(null, text));
          });
          const body = String(res.body);
          const where = `${who} GET ${r.path}?${new URLSearchParams(query)} -> ${res.status}`;
          if (res.status >= 500) wrong.push(where);
          // The asker's words, the answer's and the conversation's events never show.
          if (body.includes(question)) wrong.push(`${where}: the question`);
          // (A refusal may echo the query's event type in its `instance`; an answer must hold no such event.)
          if (res.status < 300 && /"eventType":"knowledge\.ai-conversation-/.test(body)) wrong.push(`${where}: a conversation event`);
          if (res.status === 200) answered++;
        }
      }
    }
    expect(wrong).toEqual([]);
    // The lists and exports did answer (so the absence above is filtering, not refusal).
    expect(answered).toBeGreaterThan(20);
  });

  it('answers the stream history of another user\'s conversation exactly like an unknown stream (404)', async () => {
    for (const headers of [admin.auth, superuser]) {
      const wsRoute = `/api/v1/workspaces/${ws}/audit/streams/`;
      const adminRoute = '/api/v1/admin/audit/streams/';
      for (const base of headers === superuser ? [adminRoute] : [wsRoute]) {
        const hidden = await http().get(base + encodeURIComponent(`ai-conversation-${conversationId}`)).set(headers).expect(404);
        const unknown = await http().get(base + encodeURIComponent(`ai-conversation-${uuidv7()}`)).set(headers).expect(404);
        expect(hidden.body.code).toBe(unknown.body.code);
        expect(hidden.body.title).toBe(unknown.body.title);
      }
    }
    // Its asker reads it.
    const own = await http().get(`/api/v1/workspaces/${ws}/audit/streams/${encodeURIComponent(`ai-conversation-${conversationId}`)}`).set(owner.auth).expect(200);
    expect(own.body.events.map((e: { eventType: string }) => e.eventType)).toEqual(expect.arrayContaining(['knowledge.ai-conversation-started', 'knowledge.ai-conversation-user-message-added']));
  });

  it('keeps the pages of a filtered list exact: the hidden events take no place in a page', async () => {
    // The owner's request made conversation events only; for the admin it has none to show, so it is unknown.
    await http().get(`/api/v1/workspaces/${ws}/audit/correlations/${askRequestId}`).set(admin.auth).expect(404);
    const page = await http().get(`/api/v1/workspaces/${ws}/audit/events`).query({ streamType: 'ai-conversation', limit: 1 }).set(admin.auth).expect(200);
    expect(page.body).toEqual({ items: [], nextCursor: null });
  });

  it('withholds credential material from every audit answer, the platform admin\'s export included', async () => {
    const exported = await http().get('/api/v1/admin/events/export').set(superuser).buffer(true).parse((response, done) => {
      let text = '';
      response.on('data', (c: Buffer) => (text += c.toString()));
      response.on('end', () => done(null, text));
    }).expect(200);
    const events = String(exported.body).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { eventType: string; payload: unknown });
    const withheld = new Set<string>();
    const exposed: string[] = [];
    const walk = (type: string, node: unknown, path: string[]) => {
      if (node === null || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        // The safety net: any credential-looking field of the log is declared secret (a new module's too).
        if (CREDENTIAL_FIELD_NAME.test(k) && v !== null && typeof v !== 'boolean') {
          if (v === SECRET_WITHHELD) withheld.add(`${type}.${[...path, k].join('.')}`);
          else exposed.push(`${type}: ${[...path, k].join('.')} = ${JSON.stringify(v).slice(0, 40)}`);
        }
        walk(type, v, Array.isArray(node) ? path : [...path, k]);
      }
    };
    for (const e of events) walk(e.eventType, e.payload, []);
    expect(exposed).toEqual([]);
    // The flows above wrote each kind of credential, so the check is not vacuous.
    expect([...withheld]).toEqual(
      expect.arrayContaining([
        'identity.user-registered.passwordHash',
        'identity.signup-requested.pinHash',
        'identity.session-started.tokenHash',
        'identity.session-refreshed.tokenHash',
        'identity.user-password-reset-requested.tokenHash',
        'identity.workspace-invitation-created.tokenHash',
        'identity.api-key-created.keyHash',
        'identity.oauth-account-linked.accessTokenCiphertext',
        'ingestion.source-connected.credentialsCiphertext',
      ]),
    );
    // The same on the workspace audit, for its admin.
    const page = await http().get(`/api/v1/workspaces/${ws}/audit/events`).query({ eventType: 'identity.api-key-created' }).set(owner.auth).expect(200);
    expect(page.body.items.length).toBeGreaterThan(0);
    for (const item of page.body.items) expect(item.payload.keyHash).toBe(SECRET_WITHHELD);
  });

  it('declares every private event type with an owner path that stays in clear (not a personal field)', () => {
    const registry = app.get(EventTypeRegistry);
    const privateTypes = registry.listAuditVisibility().filter((d) => d.privateTo);
    expect(privateTypes.map((d) => d.type)).toEqual(expect.arrayContaining(['knowledge.ai-conversation-started', 'knowledge.ai-conversation-user-message-added', 'knowledge.ai-conversation-assistant-message-added']));
    for (const d of privateTypes) {
      const personal = registry.personalDataOf(d.type);
      expect(personal?.fields ?? []).not.toContain(d.privateTo);
    }
  });
});
