import { eventually } from '@test/support/eventually';
import { FakeOpenAiServer } from '@test/support/fakes/fake-openai-server';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const TOPICS = [
  { name: 'Billing', description: 'Invoices, charges, refunds, payment methods, credit cards and subscription plans' },
  { name: 'Mobile app', description: 'The iOS and Android app: crashes on launch, login problems, push notifications and app store updates' },
  { name: 'Hiring', description: 'Job openings, interviews with candidates, recruiters and offers to new employees' },
];

/** A small labelled set; the built-in classifier's predictions are deterministic (offline hashing embeddings). */
const LABELLED = [
  { text: 'I was charged twice for my subscription this month, can you refund the second charge?', expectedLabel: 'Billing' },
  { text: 'How do I change the credit card used for payments? The old card expired last week.', expectedLabel: 'Billing' },
  { text: 'The payment failed again and now the account is locked. Which payment methods do you accept?', expectedLabel: 'Billing' },
  { text: 'The Android app crashes on launch since the last update, it closes right after the splash screen.', expectedLabel: 'Mobile app' },
  { text: 'Push notifications stopped arriving on my iPhone, they work fine on the web version.', expectedLabel: 'Mobile app' },
  { text: 'We scheduled three interviews with backend candidates next week, the recruiter sends the invites.', expectedLabel: 'Hiring' },
  { text: 'We made an offer to the senior engineer we interviewed, she starts in January.', expectedLabel: 'Hiring' },
  // Hard on purpose: about hiring, in billing words.
  { text: 'The recruiting agency sent its invoice for the candidate search, the payment is due by card.', expectedLabel: 'Hiring' },
];
/** Given by message id (imported below). */
const IMPORTED = [
  { externalId: 'exp-1', content: 'Our invoice for March shows the wrong company address and VAT number, please send a corrected invoice.', expectedLabel: 'Billing' },
  { externalId: 'exp-2', content: 'When will the new version of the mobile app be in the app store? The current one is very slow.', expectedLabel: 'Mobile app' },
];

type Result = { messageId: string | null; expectedLabel: string; predictedLabel: string; confidence: number; executionTimeMs: number; correct: boolean };

describe('analysis: classification experiments (e2e)', () => {
  let t: TestApp;
  let fake: FakeOpenAiServer;
  let owner: SignedUp;
  let stranger: SignedUp;
  let ws: string;
  let otherWs: string;
  let viewer: { 'X-API-Key': string };
  const messageIds: Record<string, string> = {};
  const experiments = (workspace = ws) => `/api/v1/workspaces/${workspace}/analysis/experiments`;

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start({ apiKey: 'sk-experiments' });
    // Jobs run here (the experiments are jobs); the fake listens on 127.0.0.1, an inward host the guard must be told to allow.
    t = await createTestApp({ env: { RUN_JOBS: 'true', CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', LLM_MAX_RETRIES: '0' } });
    owner = await signUp(t.app);
    stranger = await signUp(t.app);
    ws = await createWorkspace(t.app, owner);
    otherWs = await createWorkspace(t.app, stranger);
    viewer = { 'X-API-Key': (await t.http().post(`/api/v1/workspaces/${ws}/api-keys`).set(owner.auth).send({ name: 'dashboard', role: 'viewer' }).expect(201)).body.key };
    for (const topic of TOPICS) await t.http().post(`/api/v1/workspaces/${ws}/topics`).set(owner.auth).send(topic).expect(201);
    const messages = IMPORTED.map((m, i) => ({ externalId: m.externalId, content: m.content, sentAt: `2026-12-01T10:0${i}:00.000Z`, author: { name: 'Ana' } }));
    await t.http().post(`/api/v1/workspaces/${ws}/messages/import`).set(owner.auth).send({ source: { kind: 'api', name: 'experiments' }, messages }).expect(202);
    await eventually(async () => {
      const r = await t.pool.query(`SELECT id, external_id FROM ingestion_messages_view WHERE workspace_id = $1`, [ws]);
      expect(r.rows).toHaveLength(IMPORTED.length);
      for (const row of r.rows) messageIds[row.external_id] = row.id;
    }, 20_000, 100);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const finished = (id: string, workspace = ws) =>
    eventually(async () => {
      const r = await t.http().get(`${experiments(workspace)}/${id}`).set(owner.auth).expect(200);
      expect(['completed', 'failed']).toContain(r.body.status);
      return r.body;
    }, 30_000, 100);

  const allMessages = () => [...LABELLED, ...IMPORTED.map((m) => ({ messageId: messageIds[m.externalId], expectedLabel: m.expectedLabel }))];

  const openAiProvider = async (name: string) =>
    (await t.http().post(`/api/v1/workspaces/${ws}/analysis/providers`).set(owner.auth).send({ name, type: 'openai-compatible', baseUrl: fake.baseUrl, apiKey: 'sk-experiments' }).expect(201)).body.id as string;

  let builtinId: string;

  it('runs the built-in classifier against the workspace topics: per-message results, the confusion matrix and metrics they imply', async () => {
    const res = await t.http().post(experiments()).set(owner.auth).send({ modelName: 'builtin', labelSet: { topics: true }, messages: allMessages() }).expect(202);
    expect(res.body).toEqual(expect.objectContaining({ status: 'pending', modelName: 'builtin', messageCount: 10, labelSource: { kind: 'topics' }, topicsSnapshot: null, accuracy: null, requestedBy: owner.userId }));
    builtinId = res.body.id;
    const x = await finished(builtinId);
    expect(x.errorMessage).toBeNull();
    expect(x.status).toBe('completed');
    expect(x.startedAt).toEqual(expect.any(String));
    expect(x.completedAt).toEqual(expect.any(String));
    // The label set as it was at the start: the three topics, with their ids.
    expect(x.topicsSnapshot.map((l: { name: string }) => l.name)).toEqual(['Billing', 'Hiring', 'Mobile app']);
    expect(x.topicsSnapshot.every((l: { topicId: string }) => /^[0-9a-f-]{36}$/.test(l.topicId))).toBe(true);

    const results: Result[] = x.classificationResults;
    expect(results.map((r) => r.expectedLabel)).toEqual(allMessages().map((m) => m.expectedLabel));
    expect(results.slice(-2).map((r) => r.messageId)).toEqual(IMPORTED.map((m) => messageIds[m.externalId]));
    // Every message right but the hard one, which reads as billing.
    expect(results.map((r) => r.predictedLabel)).toEqual(['Billing', 'Billing', 'Billing', 'Mobile app', 'Mobile app', 'Hiring', 'Hiring', 'Billing', 'Billing', 'Mobile app']);
    expect(results.every((r) => r.confidence > 0 && r.confidence <= 1 && r.executionTimeMs >= 0 && r.correct === (r.expectedLabel === r.predictedLabel))).toBe(true);

    // Rows expected, columns predicted, in snapshot order: Billing 4/4, Hiring 2 of 3 (one taken for Billing), Mobile 3/3.
    expect(x.confusionMatrix).toEqual({ labels: ['Billing', 'Hiring', 'Mobile app'], matrix: [[4, 0, 0], [1, 2, 0], [0, 0, 3]] });
    expect(x.accuracy).toBeCloseTo(9 / 10);
    const billingF1 = (2 * 0.8 * 1) / 1.8;
    const hiringF1 = (2 * 1 * (2 / 3)) / (1 + 2 / 3);
    expect(x.macroF1).toBeCloseTo((billingF1 + hiringF1 + 1) / 3);
    expect(x.metrics.perLabel).toEqual([
      { label: 'Billing', precision: 0.8, recall: 1, f1: expect.closeTo(billingF1, 10), support: 4 },
      { label: 'Hiring', precision: 1, recall: expect.closeTo(2 / 3, 10), f1: expect.closeTo(hiringF1, 10), support: 3 },
      { label: 'Mobile app', precision: 1, recall: 1, f1: 1, support: 3 },
    ]);
    expect(x.metrics.correct).toBe(9);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(x.avgConfidence).toBeCloseTo(mean(results.map((r) => r.confidence)));
    expect(x.avgExecutionTimeMs).toBeCloseTo(mean(results.map((r) => r.executionTimeMs)));
    // Honest confidence: it was less sure of the message it got wrong than of the ones it got right, on average.
    expect(results[7].confidence).toBeLessThan(mean(results.filter((r) => r.correct).map((r) => r.confidence)));
  });

  it('keeps the label snapshot of a finished experiment when the topics change later', async () => {
    const topics = (await t.http().get(`/api/v1/workspaces/${ws}/topics`).set(owner.auth).expect(200)).body.items;
    const hiring = topics.find((x: { name: string }) => x.name === 'Hiring');
    await t.http().patch(`/api/v1/workspaces/${ws}/topics/${hiring.id}`).set(owner.auth).send({ name: 'Recruiting' }).expect(200);
    const x = (await t.http().get(`${experiments()}/${builtinId}`).set(owner.auth).expect(200)).body;
    expect(x.topicsSnapshot.map((l: { name: string }) => l.name)).toEqual(['Billing', 'Hiring', 'Mobile app']);
    await t.http().patch(`/api/v1/workspaces/${ws}/topics/${hiring.id}`).set(owner.auth).send({ name: 'Hiring' }).expect(200);
  });

  let openAiId: string;

  it('runs an OpenAI-compatible model on an explicit label set: JSON-schema answers become the results, each call metered', async () => {
    const providerId = await openAiProvider('Fake OpenAI');
    const from = fake.requests.length;
    // The fake model: keyword rules, wrong on purpose for the push-notification message.
    fake.replyWith((body) => {
      const text: string = body.messages.at(-1).content;
      const label = /invoice|charge|card|payment/i.test(text) ? 'Billing' : /interview|offer|recruit/i.test(text) ? 'Hiring' : /notification/i.test(text) ? 'Billing' : 'Mobile app';
      return JSON.stringify({ label, confidence: 0.75 });
    });
    const labels = TOPICS.map((l) => ({ name: l.name, description: l.description }));
    const res = await t.http().post(experiments()).set(owner.auth).send({ providerId, modelName: 'fake-model', labelSet: { labels }, messages: allMessages() }).expect(202);
    openAiId = res.body.id;
    expect(res.body.labelSource).toEqual({ kind: 'labels', labels });
    const x = await finished(openAiId);
    expect(x.errorMessage).toBeNull();
    expect(x.status).toBe('completed');
    expect(x.topicsSnapshot.map((l: { name: string }) => l.name)).toEqual(['Billing', 'Mobile app', 'Hiring']);
    const results: Result[] = x.classificationResults;
    expect(results.map((r) => r.predictedLabel)).toEqual(['Billing', 'Billing', 'Billing', 'Mobile app', 'Billing', 'Hiring', 'Hiring', 'Billing', 'Billing', 'Mobile app']);
    expect(results.every((r) => r.confidence === 0.75)).toBe(true);
    expect(x.accuracy).toBeCloseTo(8 / 10);
    expect(x.avgConfidence).toBeCloseTo(0.75);
    expect(x.confusionMatrix).toEqual({ labels: ['Billing', 'Mobile app', 'Hiring'], matrix: [[4, 0, 0], [1, 2, 0], [1, 0, 2]] });

    const chats = fake.since(from).filter((r) => r.path === '/v1/chat/completions');
    expect(chats).toHaveLength(10);
    expect(chats[0].body.model).toBe('fake-model');
    expect(chats[0].body.response_format.json_schema.schema.properties.label.enum).toEqual(['Billing', 'Mobile app', 'Hiring']);
    expect(chats[0].headers.authorization).toBe('Bearer sk-experiments');
    // The meter writes after each call returns.
    await eventually(async () => {
      const usage = await t.pool.query(`SELECT count(*)::int AS n, sum(total_tokens)::int AS tokens FROM llm_usage_logs WHERE workspace_id = $1 AND workflow_name = 'analysis.classification-experiment' AND node_name = 'classify' AND status = 'ok'`, [ws]);
      expect(usage.rows[0].n).toBe(10);
      expect(usage.rows[0].tokens).toBeGreaterThan(0);
    }, 10_000, 50);
    fake.replyWith();
  });

  it('fails an experiment whose provider refuses the call, keeping the error message', async () => {
    const providerId = await openAiProvider('Fake failing');
    fake.failNext(1, { status: 401 }, '/v1/chat/completions');
    const res = await t.http().post(experiments()).set(owner.auth).send({ providerId, modelName: 'fake-model', labelSet: { labels: [{ name: 'yes' }, { name: 'no' }] }, messages: [{ text: 'anything', expectedLabel: 'yes' }] }).expect(202);
    const x = await finished(res.body.id);
    expect(x.status).toBe('failed');
    expect(x.errorMessage).toMatch(/401/);
    expect(x.errorMessage).not.toContain('sk-experiments');
    expect(x.classificationResults).toBeNull();
    expect(x.accuracy).toBeNull();
  });

  it('fails an experiment against topics when an expected label is not a topic', async () => {
    const res = await t.http().post(experiments()).set(owner.auth).send({ modelName: 'builtin', labelSet: { topics: true }, messages: [{ text: 'hello', expectedLabel: 'Weather' }] }).expect(202);
    const x = await finished(res.body.id);
    expect(x).toEqual(expect.objectContaining({ status: 'failed', errorMessage: 'Expected labels not in the label set: Weather' }));
  });

  it('compares two experiments side by side: deltas B - A, per-label scores of both, the messages they disagree on', async () => {
    const res = await t.http().get(`${experiments()}/compare`).query({ a: builtinId, b: openAiId }).set(viewer).expect(200);
    const { a, b, comparison } = res.body;
    expect(a.id).toBe(builtinId);
    expect(b.id).toBe(openAiId);
    expect(comparison.accuracy).toEqual({ a: expect.closeTo(0.9, 10), b: expect.closeTo(0.8, 10), delta: expect.closeTo(-0.1, 10) });
    expect(comparison.avgConfidence.b).toBeCloseTo(0.75);
    expect(comparison.avgConfidence.delta).toBeCloseTo(0.75 - comparison.avgConfidence.a);
    expect(comparison.macroF1.delta).toBeCloseTo(comparison.macroF1.b - comparison.macroF1.a);
    expect(comparison.avgExecutionTimeMs.delta).toBeCloseTo(comparison.avgExecutionTimeMs.b - comparison.avgExecutionTimeMs.a);
    expect(comparison.sharedMessages).toBe(10);
    expect(comparison.disagreements).toEqual([{ index: 4, messageId: null, expected: 'Mobile app', a: { predicted: 'Mobile app', confidence: expect.any(Number) }, b: { predicted: 'Billing', confidence: 0.75 } }]);
    expect(comparison.perLabel.map((l: { label: string }) => l.label).sort()).toEqual(['Billing', 'Hiring', 'Mobile app']);
    const mobile = comparison.perLabel.find((l: { label: string }) => l.label === 'Mobile app');
    expect(mobile.a).toMatchObject({ precision: 1, recall: 1 });
    expect(mobile.b).toMatchObject({ precision: 1, recall: expect.closeTo(2 / 3, 10) });
    // Only completed experiments compare.
    const failed = (await t.http().get(experiments()).set(owner.auth).expect(200)).body.items.find((e: { status: string }) => e.status === 'failed');
    expect((await t.http().get(`${experiments()}/compare`).query({ a: builtinId, b: failed.id }).set(owner.auth).expect(422)).body.code).toBe('ANALYSIS.EXPERIMENT_NOT_COMPLETED');
  });

  it('lists experiments newest first in keyset pages, without the per-message results', async () => {
    const first = await t.http().get(experiments()).query({ limit: 2 }).set(viewer).expect(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0].classificationResults).toBeUndefined();
    const rest = await t.http().get(experiments()).query({ limit: 500, cursor: first.body.nextCursor }).set(viewer).expect(200);
    expect(rest.body.nextCursor).toBeNull();
    const ids = [...first.body.items, ...rest.body.items].map((e: { id: string }) => e.id);
    expect(ids).toHaveLength(4);
    expect(ids.indexOf(openAiId)).toBeLessThan(ids.indexOf(builtinId));
  });

  it('lets a viewer read but not create (403), answers 404 to another workspace, 400 to bad input', async () => {
    const body = { modelName: 'builtin', labelSet: { topics: true }, messages: [{ text: 'x', expectedLabel: 'Billing' }] };
    await t.http().post(experiments()).set(viewer).send(body).expect(403);
    await t.http().get(`${experiments()}/${builtinId}`).set(viewer).expect(200);
    // Another workspace: its member sees none of ours, and ours are unknown in theirs.
    expect((await t.http().get(`${experiments(otherWs)}/${builtinId}`).set(stranger.auth).expect(404)).body.code).toBe('ANALYSIS.EXPERIMENT_NOT_FOUND');
    await t.http().get(`${experiments()}/${builtinId}`).set(stranger.auth).expect(404);
    await t.http().get(`${experiments(otherWs)}/compare`).query({ a: builtinId, b: openAiId }).set(stranger.auth).expect(404);
    // A provider of another workspace is not available here; a message of another workspace is not found.
    const theirProvider = (await t.http().post(`/api/v1/workspaces/${otherWs}/analysis/providers`).set(stranger.auth).send({ name: 'Theirs', type: 'builtin' }).expect(201)).body.id;
    expect((await t.http().post(experiments()).set(owner.auth).send({ ...body, providerId: theirProvider }).expect(422)).body.code).toBe('ANALYSIS.PROVIDER_NOT_AVAILABLE');
    expect((await t.http().post(experiments(otherWs)).set(stranger.auth).send({ ...body, messages: [{ messageId: messageIds['exp-1'], expectedLabel: 'Billing' }] }).expect(422)).body.code).toBe('ANALYSIS.MESSAGE_NOT_FOUND');
    for (const bad of [
      { ...body, labelSet: {} },
      { ...body, labelSet: { topics: true, labels: [{ name: 'a' }, { name: 'b' }] } },
      { ...body, labelSet: { labels: [{ name: 'only' }] } },
      { ...body, labelSet: { labels: [{ name: 'a' }, { name: 'A' }] }, messages: [{ text: 'x', expectedLabel: 'a' }] },
      { ...body, labelSet: { labels: [{ name: 'a' }, { name: 'b' }] }, messages: [{ text: 'x', expectedLabel: 'c' }] },
      { ...body, messages: [] },
      { ...body, messages: [{ text: 'x', messageId: messageIds['exp-1'], expectedLabel: 'Billing' }] },
      { ...body, messages: [{ expectedLabel: 'Billing' }] },
      { ...body, messages: [{ messageId: 'not-a-uuid', expectedLabel: 'Billing' }] },
      { ...body, providerId: 'nope' },
      { labelSet: { topics: true }, messages: body.messages },
      { ...body, extra: true },
    ]) {
      const res = await t.http().post(experiments()).set(owner.auth).send(bad);
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    await t.http().get(`${experiments()}/compare`).query({ a: 'x', b: builtinId }).set(owner.auth).expect(400);
    // A retried create under the same Idempotency-Key is the same experiment.
    const first = await t.http().post(experiments()).set(owner.auth).set('Idempotency-Key', 'exp-1').send(body).expect(202);
    const retried = await t.http().post(experiments()).set(owner.auth).set('Idempotency-Key', 'exp-1').send(body).expect(202);
    expect(retried.body.id).toBe(first.body.id);
    await t.http().get(`${experiments()}/not-a-uuid`).set(owner.auth).expect(404);
    await t.http().get(experiments()).query({ cursor: 'garbage!' }).set(owner.auth).expect(400);
  });
});
