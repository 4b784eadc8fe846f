import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { MessageWriter } from '@modules/ingestion/infrastructure/message-writer';
import { TopicClassifier } from '@modules/knowledge/application/topic-classification/topic-classifier';
import { eventually } from '@test/support/eventually';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const ADMIN_TOKEN = 'admin-token-for-knowledge-topics-0123456789';

/**
 * Labelled messages for classification (also the calibration set of the offline threshold, see
 * domain/topic/topic-match.ts): each is about one topic, or about none.
 */
const TOPICS = {
  billing: { name: 'Billing', description: 'Invoices, charges, refunds, payment methods, credit cards and subscription plans' },
  mobile: { name: 'Mobile app', description: 'The iOS and Android app: crashes on launch, login problems, push notifications and app store updates' },
  hiring: { name: 'Hiring', description: 'Job openings, interviews with candidates, recruiters and offers to new employees' },
};
type TopicKey = keyof typeof TOPICS;
const LABELLED: { id: string; topic: TopicKey | null; text: string }[] = [
  { id: 'b1', topic: 'billing', text: 'I was charged twice for my subscription this month, can you refund the second charge?' },
  { id: 'b2', topic: 'billing', text: 'Our invoice for March shows the wrong company address and VAT number, please send a corrected invoice.' },
  { id: 'b3', topic: 'billing', text: 'How do I change the credit card used for payments? The old card expired last week.' },
  { id: 'b4', topic: 'billing', text: 'We want to downgrade from the Business plan to the Team plan at the end of the billing period.' },
  { id: 'b5', topic: 'billing', text: 'The payment failed again and now the account is locked. Which payment methods do you accept?' },
  { id: 'm1', topic: 'mobile', text: 'The Android app crashes on launch since the last update, it closes right after the splash screen.' },
  { id: 'm2', topic: 'mobile', text: 'I cannot log in on the iOS app, it keeps saying my session expired even after a password reset.' },
  { id: 'm3', topic: 'mobile', text: 'Push notifications stopped arriving on my iPhone, they work fine on the web version.' },
  { id: 'm4', topic: 'mobile', text: 'When will the new version of the mobile app be in the app store? The current one is very slow.' },
  { id: 'n1', topic: null, text: 'Thanks everyone, see you at the offsite next Tuesday!' },
  { id: 'n2', topic: null, text: 'The quarterly roadmap review moved to Thursday afternoon, agenda in the shared doc.' },
  { id: 'n3', topic: null, text: 'Can someone share the slides from the marketing webinar about our new dashboard?' },
];

describe('knowledge: topics with versions, memberships, message topics (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  let owner: SignedUp;
  let stranger: SignedUp;
  let ws: string;
  let otherWs: string;
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
  });
  afterAll(() => testApp?.close());

  const createTopic = async (body: Record<string, unknown>, expectStatus = 201) => (await http().post(api('/topics')).set(owner.auth).send(body).expect(expectStatus)).body;
  const createAtom = async (title: string, content = `${title}: details`) =>
    (await http().post(api('/atoms')).set(owner.auth).send({ type: 'problem', title, content }).expect(201)).body as { id: string };

  it('creates a topic as version 1: a Tailwind colour becomes hex, missing ones are picked from the name, ETag is its version', async () => {
    const res = await http().post(api('/topics')).set(owner.auth).send({ name: 'Billing', description: 'Invoices and refunds', color: 'emerald-700', icon: 'credit-card' }).expect(201);
    expect(res.body).toEqual(expect.objectContaining({ name: 'Billing', description: 'Invoices and refunds', color: '#047857', icon: 'credit-card', version: 1, approved: false, streamVersion: 1, archived: false, createdBy: owner.userId }));
    expect(res.headers.etag).toBe('"1"');
    expect((await createTopic({ name: 'Plain blue', color: 'blue' })).color).toBe('#3b82f6');
    expect((await createTopic({ name: 'Hex', color: '#ABCDEF' })).color).toBe('#abcdef');
    const picked = await createTopic({ name: 'Onboarding' });
    expect(picked).toEqual(expect.objectContaining({ description: '', icon: 'rocket-launch', color: expect.stringMatching(/^#[0-9a-f]{6}$/) }));
    const got = await http().get(api(`/topics/${res.body.id}`)).set(owner.auth).expect(200);
    expect(got.body).toEqual(expect.objectContaining({ id: res.body.id, name: 'Billing', atoms: [] }));
    expect(got.headers.etag).toBe('"1"');
  });

  it('refuses an invalid colour (400 on color), a name taken in any case (409) and bad input (400), as problem+json', async () => {
    const bad = await http().post(api('/topics')).set(owner.auth).send({ name: 'Colourful', color: 'blurple' }).expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body).toEqual(expect.objectContaining({ code: 'VALIDATION_FAILED', status: 400, errors: [expect.objectContaining({ field: 'color' })] }));
    expect(bad.body.errors[0].message).toMatch(/Tailwind/);
    await http().post(api('/topics')).set(owner.auth).send({ name: 'Colourful', color: '#12345' }).expect(400);
    const taken = await http().post(api('/topics')).set(owner.auth).send({ name: '  BILLING ' }).expect(409);
    expect(taken.body.code).toBe('KNOWLEDGE.TOPIC_NAME_TAKEN');
    await http().post(api('/topics')).set(owner.auth).send({}).expect(400);
    await http().post(api('/topics')).set(owner.auth).send({ name: 'x'.repeat(101) }).expect(400);
    await http().post(api('/topics')).set(owner.auth).send({ name: 'Extra', unknown: 1 }).expect(400);
    await http().post(api('/topics')).set(owner.auth).send({ name: 'Typed', description: 42 }).expect(400);
    // The refused requests claimed nothing: the names stay free.
    await createTopic({ name: 'Colourful', color: 'red' });
    // Names are unique per workspace only.
    await http().post(`/api/v1/workspaces/${otherWs}/topics`).set(stranger.auth).send({ name: 'Billing' }).expect(201);
  });

  it('a retry under the same Idempotency-Key returns the first topic; another request under it is refused and claims nothing', async () => {
    const key = `topic-${Date.now()}`;
    const first = await http().post(api('/topics')).set(owner.auth).set('Idempotency-Key', key).send({ name: 'Retried', description: 'once' }).expect(201);
    const retry = await http().post(api('/topics')).set(owner.auth).set('Idempotency-Key', key).send({ name: 'Retried', description: 'once' }).expect(201);
    expect(retry.body.id).toBe(first.body.id);
    const reused = await http().post(api('/topics')).set(owner.auth).set('Idempotency-Key', key).send({ name: 'Another name' }).expect(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The same name under the reused key: the first topic holds it.
    await http().post(api('/topics')).set(owner.auth).set('Idempotency-Key', key).send({ name: 'Retried', description: 'twice' }).expect(409);
    await http().post(api('/topics')).set(owner.auth).send({ name: 'retried' }).expect(409);
    // The refused request left its name free.
    await createTopic({ name: 'Another name' });
    expect((await http().get(api('/topics?q=retried')).set(owner.auth).expect(200)).body.items).toHaveLength(1);
  });

  it('every change is a version: list, get one, compare two (fields and a word diff), approve; a stale If-Match is 412', async () => {
    const t = await createTopic({ name: 'Payments', description: 'Card payments fail for some customers in Europe', color: 'red' });
    const v2 = await http().patch(api(`/topics/${t.id}`)).set(owner.auth).set('If-Match', '"1"').send({ description: 'Card payments fail for many customers in Europe and Asia' }).expect(200);
    expect(v2.body).toEqual(expect.objectContaining({ version: 2, streamVersion: 2 }));
    expect(v2.headers.etag).toBe('"2"');
    const stale = await http().patch(api(`/topics/${t.id}`)).set(owner.auth).set('If-Match', '"1"').send({ icon: 'bolt' }).expect(412);
    expect(stale.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(stale.body).toEqual(expect.objectContaining({ code: 'KNOWLEDGE.STALE_VERSION', status: 412, currentVersion: 2 }));
    await http().patch(api(`/topics/${t.id}`)).set(owner.auth).set('If-Match', 'soon').send({ icon: 'bolt' }).expect(400);
    // Nothing changed: no new version.
    const same = await http().patch(api(`/topics/${t.id}`)).set(owner.auth).send({ color: 'red-500' }).expect(200);
    expect(same.body.version).toBe(2);
    await http().patch(api(`/topics/${t.id}`)).set(owner.auth).set('If-Match', '2').send({ name: 'Payments & cards', color: 'blue' }).expect(200);

    const versions = (await http().get(api(`/topics/${t.id}/versions`)).set(owner.auth).expect(200)).body.items;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([1, 2, 3]);
    expect(versions[0]).toEqual(expect.objectContaining({ data: { name: 'Payments', description: 'Card payments fail for some customers in Europe', icon: 'credit-card', color: '#ef4444' }, changed: [], createdBy: owner.userId, approved: false }));
    expect(versions[2]).toEqual(expect.objectContaining({ changed: ['name', 'color'], data: expect.objectContaining({ name: 'Payments & cards', color: '#3b82f6' }) }));
    const one = await http().get(api(`/topics/${t.id}/versions/2`)).set(owner.auth).expect(200);
    expect(one.body.data.description).toBe('Card payments fail for many customers in Europe and Asia');

    const diff = (await http().get(api(`/topics/${t.id}/versions/compare`)).query({ from: 1, to: 3 }).set(owner.auth).expect(200)).body;
    expect(diff.changes.map((c: { field: string }) => c.field).sort()).toEqual(['color', 'description', 'name']);
    expect(diff.changes.find((c: { field: string }) => c.field === 'name')).toEqual({ field: 'name', from: 'Payments', to: 'Payments & cards' });
    const words = diff.changes.find((c: { field: string }) => c.field === 'description').words as { value: string; added: boolean; removed: boolean }[];
    expect(words.filter((w) => w.removed).map((w) => w.value.trim())).toContain('some');
    const added = words.filter((w) => w.added).map((w) => w.value).join(' ');
    expect(added).toMatch(/many/);
    expect(added).toMatch(/Asia/);
    expect(words.filter((w) => !w.added).map((w) => w.value).join('')).toBe('Card payments fail for some customers in Europe');
    expect((await http().get(api(`/topics/${t.id}/versions/compare?from=2&to=2`)).set(owner.auth).expect(200)).body.changes).toEqual([]);
    await http().get(api(`/topics/${t.id}/versions/compare?from=1`)).set(owner.auth).expect(400);
    await http().get(api(`/topics/${t.id}/versions/compare?from=1&to=x`)).set(owner.auth).expect(400);
    await http().get(api(`/topics/${t.id}/versions/compare?from=1&to=9`)).set(owner.auth).expect(404);
    await http().get(api(`/topics/${t.id}/versions/abc`)).set(owner.auth).expect(400);
    await http().get(api(`/topics/${t.id}/versions/0`)).set(owner.auth).expect(400);
    await http().get(api(`/topics/${t.id}/versions/9`)).set(owner.auth).expect(404);

    // Approving the latest version approves the topic; an edit is a new, unapproved version.
    const approved = await http().post(api(`/topics/${t.id}/versions/3/approve`)).set(owner.auth).expect(200);
    expect(approved.body.topic).toEqual(expect.objectContaining({ approved: true, approvedVersion: 3, version: 3 }));
    expect(approved.body.version).toEqual(expect.objectContaining({ version: 3, approved: true, approvedBy: owner.userId, approvedAt: expect.any(String) }));
    await http().post(api(`/topics/${t.id}/versions/3/approve`)).set(owner.auth).expect(200);
    await http().post(api(`/topics/${t.id}/versions/7/approve`)).set(owner.auth).expect(404);
    const v4 = await http().patch(api(`/topics/${t.id}`)).set(owner.auth).send({ description: 'Card payments fail in Asia' }).expect(200);
    expect(v4.body).toEqual(expect.objectContaining({ version: 4, approved: false, approvedVersion: 3 }));
    // An older version may be approved too (recorded), which does not approve the current one.
    const old = await http().post(api(`/topics/${t.id}/versions/1/approve`)).set(owner.auth).expect(200);
    expect(old.body.topic.approved).toBe(false);
    const after = (await http().get(api(`/topics/${t.id}/versions`)).set(owner.auth).expect(200)).body.items;
    expect(after.map((v: { approved: boolean }) => v.approved)).toEqual([true, false, true, false]);
    // The renamed topic's old name is free again.
    await createTopic({ name: 'payments' });
  });

  it('keeps atoms in a topic with position and note; archiving hides the topic, frees its name and refuses changes', async () => {
    const t = await createTopic({ name: 'Exports' });
    const a1 = await createAtom('CSV export times out');
    const a2 = await createAtom('Excel export loses formatting');
    const m1 = await http().post(api(`/topics/${t.id}/atoms/${a1.id}`)).set(owner.auth).send({ note: 'reported by 3 customers' }).expect(200);
    expect(m1.body).toEqual(expect.objectContaining({ topicId: t.id, atomId: a1.id, position: 0, note: 'reported by 3 customers' }));
    expect((await http().post(api(`/topics/${t.id}/atoms/${a2.id}`)).set(owner.auth).send({}).expect(200)).body.position).toBe(1);
    // Moving a member keeps its note.
    await http().post(api(`/topics/${t.id}/atoms/${a1.id}`)).set(owner.auth).send({ position: 5 }).expect(200);
    const got = await http().get(api(`/topics/${t.id}`)).set(owner.auth).expect(200);
    expect(got.body.atoms.map((a: { id: string; position: number; note: string | null }) => [a.id, a.position, a.note])).toEqual([
      [a2.id, 1, null],
      [a1.id, 5, 'reported by 3 customers'],
    ]);
    // Memberships are on the topic's stream: they move its ETag, not its version.
    expect(got.body).toEqual(expect.objectContaining({ version: 1, streamVersion: 4 }));
    const atom = await http().get(api(`/atoms/${a1.id}`)).set(owner.auth).expect(200);
    expect(atom.body.topics).toEqual([expect.objectContaining({ id: t.id, name: 'Exports', position: 5 })]);
    await http().post(api(`/topics/${t.id}/atoms/${a1.id}`)).set(owner.auth).send({ position: -1 }).expect(400);
    await http().post(api(`/topics/${t.id}/atoms/not-a-uuid`)).set(owner.auth).send({}).expect(404);
    await http().delete(api(`/topics/${t.id}/atoms/${a2.id}`)).set(owner.auth).expect(204);
    const gone = await http().delete(api(`/topics/${t.id}/atoms/${a2.id}`)).set(owner.auth).expect(404);
    expect(gone.body.code).toBe('KNOWLEDGE.TOPIC_ATOM_NOT_FOUND');

    await http().delete(api(`/topics/${t.id}`)).set(owner.auth).set('If-Match', '"1"').expect(412);
    await http().delete(api(`/topics/${t.id}`)).set(owner.auth).expect(204);
    await http().delete(api(`/topics/${t.id}`)).set(owner.auth).expect(204);
    const listed = (await http().get(api('/topics')).set(owner.auth).expect(200)).body.items.map((x: { id: string }) => x.id);
    expect(listed).not.toContain(t.id);
    const all = (await http().get(api('/topics?includeArchived=true&limit=500')).set(owner.auth).expect(200)).body.items;
    expect(all.find((x: { id: string }) => x.id === t.id)).toEqual(expect.objectContaining({ archived: true }));
    const refused = await http().patch(api(`/topics/${t.id}`)).set(owner.auth).send({ description: 'x' }).expect(422);
    expect(refused.body.code).toBe('KNOWLEDGE.TOPIC_ARCHIVED');
    await createTopic({ name: 'EXPORTS' });
  });

  it('pages topics by name with an opaque cursor', async () => {
    const first = await http().get(api('/topics?limit=2')).set(owner.auth).expect(200);
    expect(first.body.items).toHaveLength(2);
    const second = await http().get(api('/topics')).query({ limit: 2, cursor: first.body.nextCursor }).set(owner.auth).expect(200);
    const names = [...first.body.items, ...second.body.items].map((t: { name: string }) => t.name.toLowerCase());
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(4);
    await http().get(api('/topics?cursor=garbage')).set(owner.auth).expect(400);
    await http().get(api('/topics?limit=0')).set(owner.auth).expect(400);
    const filtered = await http().get(api('/topics?q=hex')).set(owner.auth).expect(200);
    expect(filtered.body.items.map((t: { name: string }) => t.name)).toEqual(['Hex']);
  });

  it("answers 404 for another workspace's topics, atoms and messages, whatever the route", async () => {
    const mine = await createTopic({ name: 'Private' });
    const myAtom = await createAtom('Private atom');
    const theirs = (await http().post(`/api/v1/workspaces/${otherWs}/topics`).set(stranger.auth).send({ name: 'Theirs' }).expect(201)).body;
    const other = (path: string) => `/api/v1/workspaces/${otherWs}${path}`;
    for (const [method, path] of [
      ['get', `/topics/${mine.id}`],
      ['patch', `/topics/${mine.id}`],
      ['delete', `/topics/${mine.id}`],
      ['get', `/topics/${mine.id}/versions`],
      ['get', `/topics/${mine.id}/versions/1`],
      ['get', `/topics/${mine.id}/versions/compare?from=1&to=1`],
      ['post', `/topics/${mine.id}/versions/1/approve`],
      ['post', `/topics/${mine.id}/atoms/${myAtom.id}`],
      ['post', `/topics/${theirs.id}/atoms/${myAtom.id}`],
      ['get', `/topics/${mine.id}/messages`],
    ] as const) {
      const res = await (http() as any)[method](other(path)).set(stranger.auth).send(method === 'patch' ? { description: 'x' } : {});
      expect([`${method} ${path}`, res.status]).toEqual([`${method} ${path}`, 404]);
      expect(res.body.code).toMatch(/NOT_FOUND$/);
    }
    // Their own workspace's route with our workspace id: the guard's 404.
    await http().get(api(`/topics/${mine.id}`)).set(stranger.auth).expect(404);
    // A message of our workspace cannot be put in their topic.
    await http().post(other(`/topics/${theirs.id}/messages/${myAtom.id}`)).set(stranger.auth).expect(404);
  });

  describe('messages classified to topics', () => {
    let classifyWs: string;
    const cApi = (path: string) => `/api/v1/workspaces/${classifyWs}${path}`;
    const topicIds: Partial<Record<TopicKey, string>> = {};
    const messageIds = new Map<string, string>();
    const label = new Map<string, string>();
    const messagesOf = async (key: TopicKey) =>
      (await http().get(cApi(`/topics/${topicIds[key]}/messages?limit=100`)).set(owner.auth).expect(200)).body.items as { messageId: string; score: number; method: string }[];
    const labelsOf = async (key: TopicKey) => (await messagesOf(key)).map((m) => label.get(m.messageId)!).sort();
    const topicEmbedded = (key: TopicKey) =>
      eventually(async () => {
        const t = await http().get(cApi(`/topics/${topicIds[key]}`)).set(owner.auth).expect(200);
        return t.body.embeddingModel !== null;
      }, 20_000, 50);

    beforeAll(async () => {
      classifyWs = await createWorkspace(app, owner);
      for (const key of ['billing', 'hiring'] as const) {
        topicIds[key] = (await http().post(cApi('/topics')).set(owner.auth).send(TOPICS[key]).expect(201)).body.id;
      }
      const messages = LABELLED.map((m, i) => ({ externalId: m.id, content: m.text, sentAt: `2026-03-0${1 + (i % 9)}T10:00:00Z`, author: { name: 'Customer', externalId: `C${i}` } }));
      await http().post(cApi('/messages/import')).set(owner.auth).send({ source: { kind: 'api', name: 'Support' }, messages }).expect(202);
      const listed = (await http().get(cApi('/messages?limit=100')).set(owner.auth).expect(200)).body.items as { id: string; externalId: string }[];
      for (const m of listed) {
        messageIds.set(m.externalId, m.id);
        label.set(m.id, m.externalId);
      }
      expect(messageIds.size).toBe(LABELLED.length);
      await eventually(async () => {
        const r = await pool.query(`SELECT count(DISTINCT message_id)::int AS ready FROM knowledge_rag_chunks WHERE workspace_id = $1 AND embedding_status = 'ready'`, [classifyWs]);
        return r.rows[0].ready === LABELLED.length;
      }, 30_000, 100);
      await topicEmbedded('billing');
      await topicEmbedded('hiring');
    });

    it('puts messages in the matching topic and not in an unrelated one (new chunks, and a topic created afterwards)', async () => {
      await app.get(TopicClassifier).runPass();
      // A topic created after the messages: its embedding starts a pass over the workspace's messages.
      topicIds.mobile = (await http().post(cApi('/topics')).set(owner.auth).send(TOPICS.mobile).expect(201)).body.id;
      await topicEmbedded('mobile');
      await app.get(TopicClassifier).runPass();

      const assigned: Record<TopicKey, string[]> = { billing: await labelsOf('billing'), mobile: await labelsOf('mobile'), hiring: await labelsOf('hiring') };
      const related = LABELLED.filter((m) => m.topic !== null).length;
      const right = (Object.keys(assigned) as TopicKey[]).flatMap((k) => assigned[k].filter((id) => LABELLED.find((m) => m.id === id)!.topic === k));
      const wrong = (Object.keys(assigned) as TopicKey[]).flatMap((k) => assigned[k].filter((id) => LABELLED.find((m) => m.id === id)!.topic !== k).map((id) => `${id} in ${k}`));
      console.log(`topic classification: ${JSON.stringify(assigned)} recall ${right.length}/${related}, wrong ${wrong.length}`);
      expect(wrong).toEqual([]);
      expect(right.length).toBeGreaterThanOrEqual(6);
      expect(assigned.billing.length).toBeGreaterThanOrEqual(3);
      expect(assigned.mobile.length).toBeGreaterThanOrEqual(2);
      expect(assigned.hiring).toEqual([]);
      for (const m of await messagesOf('billing')) expect(m).toEqual(expect.objectContaining({ method: 'semantic', score: expect.any(Number) }));

      // Every assignment is an event on the message's own stream, by the classifier.
      const events = await pool.query(
        `SELECT stream_id, payload, actor_id FROM events WHERE workspace_id = $1 AND event_type = 'knowledge.message-topic-assigned'`,
        [classifyWs],
      );
      expect(events.rows).toHaveLength(right.length);
      for (const e of events.rows) {
        expect(e.stream_id).toBe(`message-topics-${e.payload.messageId}`);
        expect(e.actor_id).toBe('system:knowledge.topic-classification');
      }
      // A pass with nothing new appends nothing.
      const again = await app.get(TopicClassifier).runPass();
      expect(again.assigned).toBe(0);
      expect((await pool.query(`SELECT count(*)::int AS n FROM events WHERE workspace_id = $1 AND event_type LIKE 'knowledge.message-topic-%'`, [classifyWs])).rows[0].n).toBe(right.length);
    });

    it('a human assigns and removes by hand; the classifier never undoes either', async () => {
      const billing = await labelsOf('billing');
      const removedId = messageIds.get(billing[0])!;
      const manual = await http().post(cApi(`/topics/${topicIds.hiring}/messages/${messageIds.get('n1')}`)).set(owner.auth).expect(200);
      expect(manual.body).toEqual(expect.objectContaining({ method: 'manual', score: 1, assignedBy: owner.userId }));
      await http().delete(cApi(`/topics/${topicIds.billing}/messages/${removedId}`)).set(owner.auth).expect(204);
      await http().delete(cApi(`/topics/${topicIds.billing}/messages/${removedId}`)).set(owner.auth).expect(404);

      // Redescribing the topic embeds it again and classifies its messages again.
      await http().patch(cApi(`/topics/${topicIds.billing}`)).set(owner.auth).send({ description: `${TOPICS.billing.description}, receipts` }).expect(200);
      await eventually(async () => {
        const r = await pool.query(`SELECT embedding_text_md5 = md5(name || E'\\n' || description) AS fresh FROM knowledge_topics_view WHERE id = $1`, [topicIds.billing]);
        return r.rows[0].fresh === true;
      }, 20_000, 50);
      await app.get(TopicClassifier).runPass();
      expect(await labelsOf('billing')).not.toContain(billing[0]);
      expect(await labelsOf('billing')).toEqual(billing.slice(1));
      expect(await labelsOf('hiring')).toEqual(['n1']);

      await http().post(cApi(`/topics/${topicIds.hiring}/messages/not-a-uuid`)).set(owner.auth).expect(404);
      await http().post(cApi(`/topics/${topicIds.hiring}/messages/${topicIds.billing}`)).set(owner.auth).expect(404);
      await http().get(cApi(`/topics/${topicIds.hiring}/messages?limit=0`)).set(owner.auth).expect(400);
    });

    it('a deleted message leaves its topics (and cannot be put in one)', async () => {
      const billing = await labelsOf('billing');
      const victim = billing[billing.length - 1];
      const source = (await http().get(cApi('/sources')).set(owner.auth).expect(200)).body.items.find((x: { name: string }) => x.name === 'Support');
      await app.get(MessageWriter).change({ id: source.id, kind: 'api', workspaceId: classifyWs }, victim, 'ingestion.message-deleted', { deletedAt: new Date().toISOString() }, { importJobId: null, actorId: null, correlationId: null });
      await eventually(async () => !(await labelsOf('billing')).includes(victim), 20_000, 50);
      const removed = await pool.query(`SELECT payload FROM events WHERE stream_id = $1 AND event_type = 'knowledge.message-topic-unassigned'`, [`message-topics-${messageIds.get(victim)}`]);
      expect(removed.rows.map((r) => r.payload)).toEqual([expect.objectContaining({ topicId: topicIds.billing, method: 'semantic', reason: 'message-deleted' })]);
      const refused = await http().post(cApi(`/topics/${topicIds.hiring}/messages/${messageIds.get(victim)}`)).set(owner.auth).expect(404);
      expect(refused.body.code).toBe('KNOWLEDGE.MESSAGE_NOT_FOUND');
      await app.get(TopicClassifier).runPass();
      expect(await labelsOf('billing')).toEqual(billing.slice(0, -1));
    });

    it('a rebuild of the read models gives the same rows, and the embeddings heal by themselves', async () => {
      const views: [string, string, string][] = [
        ['knowledge.topic-versions', 'knowledge_topic_versions_view', '*'],
        ['knowledge.topics', 'knowledge_topics_view', 'id, workspace_id, name, description, icon, color, version, approved, approved_version, stream_version, created_by, archived_at, created_at, updated_at'],
        ['knowledge.topic-atoms', 'knowledge_topic_atoms_view', '*'],
        ['knowledge.message-topics', 'knowledge_message_topics_view', '*'],
      ];
      for (const [name, table, columns] of views) {
        const before = (await pool.query(`SELECT ${columns} FROM ${table} ORDER BY id`)).rows;
        expect(before.length).toBeGreaterThan(0);
        const started = await http().post(`/api/v1/admin/projections/${name}/rebuild`).set(admin).send({}).expect(202);
        await eventually(async () => {
          const r = await http().get(`/api/v1/admin/projections/rebuilds?projection=${name}`).set(admin).expect(200);
          const rec = r.body.items.find((x: { id: string }) => x.id === started.body.rebuildId);
          if (rec?.status === 'failed') throw new Error(`rebuild of ${name} failed: ${rec.error}`);
          return rec?.status === 'completed';
        }, 30_000, 100);
        const after = (await pool.query(`SELECT ${columns} FROM ${table} ORDER BY id`)).rows;
        expect(after).toEqual(before);
      }
      // The rebuilt topics came back without vectors; the consumer embeds them again.
      await eventually(async () => {
        const r = await pool.query(`SELECT count(*)::int AS n FROM knowledge_topics_view WHERE archived_at IS NULL AND embedding IS NULL`);
        return r.rows[0].n === 0;
      }, 20_000, 100);
      expect(await labelsOf('hiring')).toEqual(['n1']);
    });
  });
});
