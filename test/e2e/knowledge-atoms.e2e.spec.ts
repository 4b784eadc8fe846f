import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { eventually } from '@test/support/eventually';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const ADMIN_TOKEN = 'admin-token-for-knowledge-atoms-0123456789';

const ATOMS = [
  { key: 'csv', type: 'problem', title: 'CSV export times out on large reports', content: 'Exporting a report with more than 10,000 rows to CSV times out after 30 seconds and the download never starts.' },
  { key: 'retry', type: 'solution', title: 'Retry failed card payments automatically', content: 'Retry a declined card payment three times over a week before the subscription is suspended.' },
  { key: 'dark', type: 'requirement', title: 'Dark mode for the dashboard', content: 'Several enterprise users asked for a dark theme for the analytics dashboard.' },
  { key: 'churn', type: 'insight', title: 'Trial users without an onboarding call churn', content: 'Most accounts that never booked an onboarding call during the trial cancel when it ends.' },
  { key: 'sso', type: 'decision', title: 'Enterprise login goes through Okta SSO', content: 'We decided to support single sign-on with Okta first for enterprise customers.' },
] as const;

describe('knowledge: atoms with versions, links and semantic search (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  let owner: SignedUp;
  let stranger: SignedUp;
  let ws: string;
  let otherWs: string;
  const ids: Record<string, string> = {};
  const http = () => request(app.getHttpServer());
  const api = (path: string) => `/api/v1/workspaces/${ws}${path}`;
  const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };

  beforeAll(async () => {
    testApp = await createTestApp({ env: { ADMIN_TOKEN } });
    ({ app, pool } = testApp);
    owner = await signUp(app);
    ws = await createWorkspace(app, owner);
    stranger = await signUp(app);
    otherWs = await createWorkspace(app, stranger);
    for (const a of ATOMS) {
      const { key, ...body } = a;
      ids[key] = (await http().post(api('/atoms')).set(owner.auth).send({ ...body, confidence: 0.7 }).expect(201)).body.id;
    }
  });
  afterAll(() => testApp?.close());

  const search = (q: string, extra: Record<string, unknown> = {}) => http().get(api('/atoms/search')).query({ q, ...extra }).set(owner.auth);
  const allEmbedded = () =>
    eventually(async () => {
      const res = await search('anything').expect(200);
      return res.body.pendingEmbeddings === 0;
    }, 20_000, 50);

  it('creates an atom as version 1, not approved, with an ETag; refuses bad input with 400', async () => {
    const res = await http().post(api('/atoms')).set(owner.auth).send({ type: 'question', title: 'Do we support SAML?', content: 'A prospect asked about SAML.', meta: { prospect: 'Acme' } }).expect(201);
    expect(res.body).toEqual(expect.objectContaining({ type: 'question', title: 'Do we support SAML?', confidence: null, userApproved: false, meta: { prospect: 'Acme' }, version: 1, streamVersion: 1, createdBy: owner.userId }));
    expect(res.headers.etag).toBe('"1"');
    for (const bad of [
      { type: 'rumour', title: 't', content: 'c' },
      { type: 'problem', title: '', content: 'c' },
      { type: 'problem', title: 'x'.repeat(201), content: 'c' },
      { type: 'problem', title: 't' },
      { type: 'problem', title: 't', content: 'c', confidence: 1.2 },
      { type: 'problem', title: 't', content: 'c', meta: 'not an object' },
      { type: 'problem', title: 't', content: 'c', userApproved: true },
    ]) {
      const r = await http().post(api('/atoms')).set(owner.auth).send(bad).expect(400);
      expect(r.body.code).toBe('VALIDATION_FAILED');
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    // An Idempotency-Key makes a retry return the first atom, not a second one.
    const key = `atom-${Date.now()}`;
    const first = await http().post(api('/atoms')).set(owner.auth).set('Idempotency-Key', key).send({ type: 'insight', title: 'Retried', content: 'Once' }).expect(201);
    const retry = await http().post(api('/atoms')).set(owner.auth).set('Idempotency-Key', key).send({ type: 'insight', title: 'Retried', content: 'Once' }).expect(201);
    expect(retry.body.id).toBe(first.body.id);
    const reused = await http().post(api('/atoms')).set(owner.auth).set('Idempotency-Key', key).send({ type: 'insight', title: 'Retried', content: 'Twice' }).expect(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await http().get(api('/atoms?q=Retried')).set(owner.auth).expect(200)).body.items).toHaveLength(1);
  });

  it('versions: every edit is one, listed, compared (word diffs, metadata per key) and approved; an edit after approval is unapproved; stale If-Match is 412', async () => {
    const id = ids.csv;
    const v2 = await http()
      .patch(api(`/atoms/${id}`))
      .set(owner.auth)
      .set('If-Match', '"1"')
      .send({ content: 'Exporting a report with more than 50,000 rows to CSV times out after 60 seconds.', confidence: 0.9, meta: { tickets: 4 } })
      .expect(200);
    expect(v2.body).toEqual(expect.objectContaining({ version: 2, confidence: 0.9, userApproved: false }));
    const stale = await http().patch(api(`/atoms/${id}`)).set(owner.auth).set('If-Match', '"1"').send({ title: 'Other' }).expect(412);
    expect(stale.body.code).toBe('KNOWLEDGE.STALE_VERSION');
    await http().patch(api(`/atoms/${id}`)).set(owner.auth).send({ confidence: 1.5 }).expect(400);
    await http().patch(api(`/atoms/${id}`)).set(owner.auth).send({ type: 'rumour' }).expect(400);

    const approved = await http().post(api(`/atoms/${id}/versions/2/approve`)).set(owner.auth).set('If-Match', '"2"').expect(200);
    expect(approved.body.atom).toEqual(expect.objectContaining({ userApproved: true, approvedVersion: 2 }));
    expect(approved.body.version).toEqual(expect.objectContaining({ version: 2, approved: true, approvedBy: owner.userId }));
    const listedApproved = await http().get(api('/atoms?approved=true')).set(owner.auth).expect(200);
    expect(listedApproved.body.items.map((a: { id: string }) => a.id)).toEqual([id]);

    const v3 = await http().patch(api(`/atoms/${id}`)).set(owner.auth).send({ meta: { tickets: 6, owner: 'data team' } }).expect(200);
    expect(v3.body).toEqual(expect.objectContaining({ version: 3, userApproved: false, approvedVersion: 2, streamVersion: 4 }));
    expect(v3.headers.etag).toBe('"4"');

    const versions = (await http().get(api(`/atoms/${id}/versions`)).set(owner.auth).expect(200)).body.items;
    expect(versions.map((v: { version: number; approved: boolean; changed: string[] }) => [v.version, v.approved, v.changed])).toEqual([
      [1, false, []],
      [2, true, ['content', 'confidence', 'meta']],
      [3, false, ['meta']],
    ]);
    expect(versions[0].data).toEqual({ type: 'problem', title: ATOMS[0].title, content: ATOMS[0].content, confidence: 0.7, meta: {} });
    expect((await http().get(api(`/atoms/${id}/versions/3`)).set(owner.auth).expect(200)).body.data.meta).toEqual({ tickets: 6, owner: 'data team' });

    const diff = (await http().get(api(`/atoms/${id}/versions/compare?from=1&to=3`)).set(owner.auth).expect(200)).body;
    expect(diff).toEqual(expect.objectContaining({ from: 1, to: 3 }));
    const byField = new Map(diff.changes.map((c: { field: string }) => [c.field, c]));
    expect([...byField.keys()].sort()).toEqual(['confidence', 'content', 'meta.owner', 'meta.tickets']);
    expect(byField.get('confidence')).toEqual({ field: 'confidence', from: 0.7, to: 0.9 });
    expect(byField.get('meta.tickets')).toEqual({ field: 'meta.tickets', from: null, to: 6 });
    const words = (byField.get('content') as { words: { value: string; added: boolean; removed: boolean }[] }).words;
    expect(words.filter((w) => w.removed).map((w) => w.value.trim())).toEqual(expect.arrayContaining(['10', '30']));
    expect(words.filter((w) => w.added).map((w) => w.value.trim())).toEqual(expect.arrayContaining(['50', '60']));
    expect(words.filter((w) => !w.added).map((w) => w.value).join('')).toBe(ATOMS[0].content);
    // Compared the other way round, from and to swap.
    const back = (await http().get(api(`/atoms/${id}/versions/compare?from=3&to=1`)).set(owner.auth).expect(200)).body;
    expect(back.changes.find((c: { field: string }) => c.field === 'confidence')).toEqual({ field: 'confidence', from: 0.9, to: 0.7 });
    await http().get(api(`/atoms/${id}/versions/compare?from=0&to=1`)).set(owner.auth).expect(400);
    await http().get(api(`/atoms/${id}/versions/4`)).set(owner.auth).expect(404);
    await http().post(api(`/atoms/${id}/versions/4/approve`)).set(owner.auth).expect(404);
  });

  it('links atoms with a type and strength (one link per pair), both directions visible; never to itself or across workspaces', async () => {
    const link = await http().post(api(`/atoms/${ids.retry}/links`)).set(owner.auth).send({ toAtomId: ids.churn, linkType: 'solves', strength: 0.6 }).expect(200);
    expect(link.body).toEqual(expect.objectContaining({ fromAtomId: ids.retry, toAtomId: ids.churn, linkType: 'solves', strength: 0.6 }));
    await http().post(api(`/atoms/${ids.retry}/links`)).set(owner.auth).send({ toAtomId: ids.churn, linkType: 'supports', strength: 0.9 }).expect(200);
    await http().post(api(`/atoms/${ids.sso}/links`)).set(owner.auth).send({ toAtomId: ids.retry, linkType: 'relates_to' }).expect(200);
    const retry = (await http().get(api(`/atoms/${ids.retry}`)).set(owner.auth).expect(200)).body;
    expect(retry.links.map((l: { direction: string; linkType: string; strength: number | null; otherAtom: { id: string } }) => [l.direction, l.linkType, l.strength, l.otherAtom.id])).toEqual([
      ['outgoing', 'supports', 0.9, ids.churn],
      ['incoming', 'relates_to', null, ids.sso],
    ]);
    const churn = (await http().get(api(`/atoms/${ids.churn}`)).set(owner.auth).expect(200)).body;
    expect(churn.links).toEqual([expect.objectContaining({ direction: 'incoming', fromAtomId: ids.retry, linkType: 'supports' })]);

    const self = await http().post(api(`/atoms/${ids.retry}/links`)).set(owner.auth).send({ toAtomId: ids.retry, linkType: 'refines' }).expect(400);
    expect(self.body.errors[0].field).toBe('toAtomId');
    await http().post(api(`/atoms/${ids.retry}/links`)).set(owner.auth).send({ toAtomId: ids.churn, linkType: 'causes' }).expect(400);
    await http().post(api(`/atoms/${ids.retry}/links`)).set(owner.auth).send({ toAtomId: ids.churn, linkType: 'solves', strength: 2 }).expect(400);
    await http().post(api(`/atoms/${ids.retry}/links`)).set(owner.auth).send({ toAtomId: 'nope', linkType: 'solves' }).expect(400);
    const theirs = (await http().post(`/api/v1/workspaces/${otherWs}/atoms`).set(stranger.auth).send({ type: 'problem', title: 'Theirs', content: 'Theirs' }).expect(201)).body;
    const cross = await http().post(api(`/atoms/${ids.retry}/links`)).set(owner.auth).send({ toAtomId: theirs.id, linkType: 'solves' }).expect(404);
    expect(cross.body.code).toBe('KNOWLEDGE.ATOM_NOT_FOUND');

    await http().delete(api(`/atoms/${ids.sso}/links/${ids.retry}`)).set(owner.auth).expect(204);
    const gone = await http().delete(api(`/atoms/${ids.sso}/links/${ids.retry}`)).set(owner.auth).expect(404);
    expect(gone.body.code).toBe('KNOWLEDGE.ATOM_LINK_NOT_FOUND');
    expect((await http().get(api(`/atoms/${ids.retry}`)).set(owner.auth).expect(200)).body.links).toHaveLength(1);
  });

  it('lists atoms newest first with filters by type, text and topic, in keyset pages', async () => {
    const problems = (await http().get(api('/atoms?type=problem')).set(owner.auth).expect(200)).body.items;
    expect(problems.map((a: { id: string }) => a.id)).toEqual([ids.csv]);
    const text = (await http().get(api('/atoms?q=okta')).set(owner.auth).expect(200)).body.items;
    expect(text.map((a: { id: string }) => a.id)).toEqual([ids.sso]);
    const topic = (await http().post(api('/topics')).set(owner.auth).send({ name: 'Revenue' }).expect(201)).body;
    await http().post(api(`/topics/${topic.id}/atoms/${ids.retry}`)).set(owner.auth).send({}).expect(200);
    expect((await http().get(api(`/atoms?topicId=${topic.id}`)).set(owner.auth).expect(200)).body.items.map((a: { id: string }) => a.id)).toEqual([ids.retry]);
    const page1 = await http().get(api('/atoms?limit=3')).set(owner.auth).expect(200);
    const page2 = await http().get(api('/atoms')).query({ limit: 100, cursor: page1.body.nextCursor }).set(owner.auth).expect(200);
    const all = [...page1.body.items, ...page2.body.items];
    expect(new Set(all.map((a: { id: string }) => a.id)).size).toBe(all.length);
    expect(all.length).toBeGreaterThanOrEqual(ATOMS.length);
    const times = all.map((a: { createdAt: string }) => a.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    await http().get(api('/atoms?type=rumour')).set(owner.auth).expect(400);
    await http().get(api('/atoms?approved=maybe')).set(owner.auth).expect(400);
    await http().get(api('/atoms?cursor=bm90LWEtY3Vyc29y')).set(owner.auth).expect(400);
  });

  it('semantic search ranks the relevant atom first, within the workspace only', async () => {
    await allEmbedded();
    const cases: [string, string][] = [
      ['exporting big reports to csv keeps timing out', 'csv'],
      ['declined credit card payments should be retried', 'retry'],
      ['customers want a dark theme', 'dark'],
      ['single sign-on for enterprise customers with Okta', 'sso'],
      ['why do trial accounts cancel', 'churn'],
    ];
    for (const [q, expected] of cases) {
      const res = await search(q, { limit: 3 }).expect(200);
      expect([q, res.body.items[0]?.id]).toEqual([q, ids[expected]]);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      expect(res.body.items[0].similarity).toBeGreaterThan(res.body.items[1]?.similarity ?? -1);
    }
    const typed = await search('exporting reports', { type: 'decision' }).expect(200);
    expect(typed.body.items.every((a: { type: string }) => a.type === 'decision')).toBe(true);
    // Another workspace sees none of these.
    const theirs = await http().get(`/api/v1/workspaces/${otherWs}/atoms/search`).query({ q: 'csv export timeout' }).set(stranger.auth).expect(200);
    expect(theirs.body.items.map((a: { id: string }) => a.id)).not.toContain(ids.csv);
    await search('').expect(400);
    await search('x'.repeat(1001)).expect(400);
    await search('ok', { limit: 101 }).expect(400);
    // An archived atom leaves the results.
    const extra = (await http().post(api('/atoms')).set(owner.auth).send({ type: 'pattern', title: 'Zebra crossing pattern', content: 'Zebra zebra zebra' }).expect(201)).body;
    await allEmbedded();
    expect((await search('zebra').expect(200)).body.items[0].id).toBe(extra.id);
    await http().delete(api(`/atoms/${extra.id}`)).set(owner.auth).expect(204);
    expect((await search('zebra').expect(200)).body.items.map((a: { id: string }) => a.id)).not.toContain(extra.id);
    await http().patch(api(`/atoms/${extra.id}`)).set(owner.auth).send({ title: 'x' }).expect(422);
  });

  it("answers 404 for another workspace's atoms on every atom route", async () => {
    const other = (path: string) => `/api/v1/workspaces/${otherWs}${path}`;
    for (const [method, path, body] of [
      ['get', `/atoms/${ids.csv}`, {}],
      ['patch', `/atoms/${ids.csv}`, { title: 'x' }],
      ['delete', `/atoms/${ids.csv}`, {}],
      ['get', `/atoms/${ids.csv}/versions`, {}],
      ['get', `/atoms/${ids.csv}/versions/1`, {}],
      ['get', `/atoms/${ids.csv}/versions/compare?from=1&to=2`, {}],
      ['post', `/atoms/${ids.csv}/versions/1/approve`, {}],
      ['post', `/atoms/${ids.csv}/links`, { toAtomId: ids.retry, linkType: 'solves' }],
      ['delete', `/atoms/${ids.retry}/links/${ids.churn}`, {}],
      ['get', '/atoms/not-a-uuid', {}],
    ] as const) {
      const res = await (http() as any)[method](other(path)).set(stranger.auth).send(body);
      expect([`${method} ${path}`, res.status, res.body.code]).toEqual([`${method} ${path}`, 404, 'KNOWLEDGE.ATOM_NOT_FOUND']);
    }
  });

  it('a rebuild of the atom read models gives the same rows; embeddings heal and search works again', async () => {
    for (const [name, table, columns] of [
      ['knowledge.atom-versions', 'knowledge_atom_versions_view', '*'],
      ['knowledge.atoms', 'knowledge_atoms_view', 'id, workspace_id, type, title, content, confidence, user_approved, approved_version, meta, version, stream_version, created_by, archived_at, created_at, updated_at'],
      ['knowledge.atom-links', 'knowledge_atom_links_view', '*'],
    ] as const) {
      const before = (await pool.query(`SELECT ${columns} FROM ${table} ORDER BY id`)).rows;
      expect(before.length).toBeGreaterThan(0);
      const started = await http().post(`/api/v1/admin/projections/${name}/rebuild`).set(admin).send({}).expect(202);
      await eventually(async () => {
        const r = await http().get(`/api/v1/admin/projections/rebuilds?projection=${name}`).set(admin).expect(200);
        const rec = r.body.items.find((x: { id: string }) => x.id === started.body.rebuildId);
        if (rec?.status === 'failed') throw new Error(`rebuild of ${name} failed: ${rec.error}`);
        return rec?.status === 'completed';
      }, 30_000, 100);
      expect((await pool.query(`SELECT ${columns} FROM ${table} ORDER BY id`)).rows).toEqual(before);
    }
    await allEmbedded();
    expect((await search('exporting big reports to csv keeps timing out').expect(200)).body.items[0].id).toBe(ids.csv);
    // The model's calls are metered to the workspace under the knowledge.atoms workflow.
    const usage = await pool.query(`SELECT DISTINCT node_name FROM llm_usage_logs WHERE workspace_id = $1 AND workflow_name = 'knowledge.atoms'`, [ws]);
    expect(usage.rows.map((r) => r.node_name)).toEqual(expect.arrayContaining(['embed-atoms', 'search']));
  });
});
