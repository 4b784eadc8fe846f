import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { eventually } from '@test/support/eventually';
import { createWorkspace, signUp, SignedUp, signUpVerified } from '@test/support/identity-client';
import { FakeOpenAiServer } from '@test/support/fakes/fake-openai-server';
import { createTestApp, TestApp } from '@test/support/test-app';

const TOKEN = 'knowledge-ask-operator-token-0123456789';
const NO_ANSWER = "I could not find anything about that in this workspace's conversations.";

/** Workspace A: a product team talking about Orbit sync (and other things). */
const corpusA = [
  { externalId: 'orbit-ship', channel: 'product', author: { name: 'Priya Raman', externalId: 'U1' }, content: 'Orbit sync ships to every Pro workspace on May 14, and the beta flag goes away that day.' },
  { externalId: 'orbit-price', channel: 'pricing', author: { name: 'Marco Bellini', externalId: 'U2' }, content: 'Orbit sync price: $12 per seat per month, billed annually. Existing Pro customers get it free until July.' },
  { externalId: 'helios-price', channel: 'pricing', author: { name: 'Marco Bellini', externalId: 'U2' }, content: 'The Helios analytics add-on price goes up to $30 per seat in June.' },
  { externalId: 'csv-bug', channel: 'support', author: { name: 'Dana Kim', externalId: 'U3' }, content: 'Exporting invoices to CSV times out for accounts with more than 10k invoices; the fix is in review.' },
  { externalId: 'sso', channel: 'sales', author: { name: 'Lee Park', externalId: 'U4' }, content: 'Customers keep asking about SAML single sign-on; Okta support is planned for Q3.' },
  { externalId: 'lunch', channel: 'random', author: { name: 'Priya Raman', externalId: 'U1' }, content: 'Team lunch moves to Thursday at noon this week.' },
  // Shares one word ("migrated") with B's Kraken question: a search hit, but no answer to it.
  { externalId: 'billing-db', channel: 'eng', author: { name: 'Dana Kim', externalId: 'U3' }, content: 'We migrated the billing database to Postgres 16 last night without downtime.' },
  { externalId: 'review', channel: 'eng', author: { name: 'Lee Park', externalId: 'U4' }, content: 'Can someone review my pull request for the mobile app login screen?' },
].map((m, i) => ({ ...m, sentAt: `2026-03-0${i + 1}T10:00:00Z` }));

/** Workspace B: another company; nothing of it may ever reach A's answers. */
const corpusB = [
  { externalId: 'kraken-speed', channel: 'eng', author: { name: 'Ola Nordmann', externalId: 'B1' }, content: 'The Kraken migration tool imports Jira boards in under five minutes.' },
  { externalId: 'kraken-price', channel: 'sales', author: { name: 'Ola Nordmann', externalId: 'B1' }, content: 'Kraken enterprise plan price is $99 per month.' },
  { externalId: 'zephyr-oncall', channel: 'ops', author: { name: 'Kari Hansen', externalId: 'B2' }, content: 'Zephyr on-call rotation switches to weekly shifts starting Monday.' },
].map((m, i) => ({ ...m, sentAt: `2026-03-0${i + 1}T12:00:00Z` }));

interface Citation {
  n: number;
  messageId: string;
  externalId: string;
  chunkId: string;
  text: string;
}

async function importCorpus(app: NestExpressApplication, ws: string, who: SignedUp, messages: unknown[]): Promise<void> {
  const res = await request(app.getHttpServer()).post(`/api/v1/workspaces/${ws}/messages/import`).set(who.auth).send({ source: { kind: 'api', name: 'Chat' }, messages }).expect(202);
  expect(res.body.accepted).toBe(messages.length);
}

/** Every message chunked and embedded: Ask then sees all of them. */
function untilSearchable(pool: Pool, ws: string, messages: number) {
  return eventually(async () => {
    const r = await pool.query(`SELECT count(DISTINCT message_id)::int AS n FROM knowledge_rag_chunks WHERE workspace_id = $1 AND embedding_status = 'ready'`, [ws]);
    expect(r.rows[0].n).toBe(messages);
  }, 30_000, 100);
}

async function messagesOf(app: NestExpressApplication, ws: string, who: SignedUp): Promise<Map<string, { id: string; content: string }>> {
  const listed = await request(app.getHttpServer()).get(`/api/v1/workspaces/${ws}/messages`).query({ limit: 500 }).set(who.auth).expect(200);
  return new Map(listed.body.items.map((m: { id: string; externalId: string; content: string }) => [m.externalId, { id: m.id, content: m.content }]));
}

const markersIn = (answer: string) => [...new Set([...answer.matchAll(/\[(\d+(?:\s*,\s*\d+)*)\]/g)].flatMap((m) => m[1].split(',').map((n) => Number(n.trim()))))];

describe('knowledge: Ask with citations and conversations (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  let owner: SignedUp;
  let colleague: SignedUp;
  let viewer: SignedUp;
  let ownerOfB: SignedUp;
  let wsA: string;
  let wsB: string;
  /** externalId -> { id, content } of A's messages. */
  let messagesOfA: Map<string, { id: string; content: string }>;
  const http = () => request(app.getHttpServer());
  const ask = (ws: string, who: SignedUp, body: Record<string, unknown>) => http().post(`/api/v1/workspaces/${ws}/ask`).set(who.auth).send(body);

  beforeAll(async () => {
    testApp = await createTestApp({ env: { ADMIN_TOKEN: TOKEN } });
    ({ app, pool } = testApp);
    owner = await signUp(app);
    wsA = await createWorkspace(app, owner);
    colleague = await signUpVerified(app);
    viewer = await signUpVerified(app);
    await http().post(`/api/v1/workspaces/${wsA}/members`).set(owner.auth).send({ email: colleague.email, role: 'member' }).expect(201);
    await http().post(`/api/v1/workspaces/${wsA}/members`).set(owner.auth).send({ email: viewer.email, role: 'viewer' }).expect(201);
    ownerOfB = await signUp(app);
    wsB = await createWorkspace(app, ownerOfB);
    await importCorpus(app, wsA, owner, corpusA);
    await importCorpus(app, wsB, ownerOfB, corpusB);
    await untilSearchable(pool, wsA, corpusA.length);
    await untilSearchable(pool, wsB, corpusB.length);
    messagesOfA = await messagesOf(app, wsA, owner);
    expect(messagesOfA.size).toBe(corpusA.length);
  });
  afterAll(() => testApp?.close());

  /** The answer's [n] are exactly the citations' n (1..k), and each citation is a message of A, quoting it. */
  const expectCitationsOfA = (body: { answer: string; citations: Citation[] }) => {
    expect(body.citations.length).toBeGreaterThan(0);
    expect(markersIn(body.answer).sort()).toEqual(body.citations.map((c) => c.n).sort());
    expect(body.citations.map((c) => c.n)).toEqual(body.citations.map((_, i) => i + 1));
    const idsOfA = new Set([...messagesOfA.values()].map((m) => m.id));
    for (const c of body.citations) {
      expect(idsOfA.has(c.messageId)).toBe(true);
      const message = messagesOfA.get(c.externalId)!;
      expect(message.id).toBe(c.messageId);
      expect(c.text.length).toBeGreaterThan(0);
      expect(message.content).toContain(c.text);
      expect(c.chunkId).toMatch(/^[0-9a-f-]{36}$/);
    }
  };

  let conversationId: string;

  it("answers from A's messages with [n] markers matching citations of A's messages only", async () => {
    const res = await ask(wsA, owner, { question: 'When does Orbit sync ship?' }).expect(200);
    expect(res.body).toEqual(
      expect.objectContaining({ conversationId: expect.any(String), messageId: expect.any(String), grounded: true, model: expect.any(String), usage: expect.objectContaining({ totalTokens: expect.any(Number) }) }),
    );
    expectCitationsOfA(res.body);
    expect(res.body.citations[0].externalId).toBe('orbit-ship');
    expect(res.body.answer).toContain('May 14');
    conversationId = res.body.conversationId;
  });

  it("says it found nothing when only another workspace's messages know the answer, citing nothing", async () => {
    const question = 'How long does the Kraken migration tool take to import Jira boards?';
    const inA = await ask(wsA, owner, { question }).expect(200);
    expect(inA.body).toEqual(expect.objectContaining({ answer: NO_ANSWER, grounded: false, citations: [] }));
    expect(JSON.stringify(inA.body)).not.toMatch(/kraken-speed|five minutes|billing database/i);
    // ...while B, which has the message, gets it: the no-answer above is the tenancy boundary, not a blind search.
    const inB = await ask(wsB, ownerOfB, { question }).expect(200);
    expect(inB.body.grounded).toBe(true);
    expect(inB.body.citations.map((c: Citation) => c.externalId)).toContain('kraken-speed');
  });

  it('says it found nothing about a subject no workspace talks about, without calling the model', async () => {
    const before = await pool.query(`SELECT count(*)::int AS n FROM llm_usage_logs WHERE workspace_id = $1 AND workflow_name = 'knowledge.ask'`, [wsA]);
    const res = await ask(wsA, owner, { question: 'What is the recipe for Bavarian plum dumplings?' }).expect(200);
    expect(res.body).toEqual(expect.objectContaining({ answer: NO_ANSWER, grounded: false, citations: [], model: null }));
    const after = await pool.query(`SELECT count(*)::int AS n FROM llm_usage_logs WHERE workspace_id = $1 AND workflow_name = 'knowledge.ask'`, [wsA]);
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  // The measurements behind the relevance bar (domain/conversation/relevance.ts): what A knows is
  // answered from the right message; what it does not, even sharing a word with it, is not.
  it.each([
    ['Who asked about single sign-on?', 'sso'],
    ['Is there a bug with CSV exports?', 'csv-bug'],
    ['When is the team lunch?', 'lunch'],
    ['Which database do we use for billing?', 'billing-db'],
    ['Who asked for a review of their pull request?', 'review'],
    ['What is the price of the Kraken enterprise plan?', null],
    ['How is the weather in Paris today?', null],
    ['What did the quarterly board meeting decide about hiring?', null],
    ['Why?', null],
  ])('%s -> %s', async (question, expected) => {
    const res = await ask(wsA, owner, { question }).expect(200);
    if (expected === null) {
      expect(res.body).toEqual(expect.objectContaining({ answer: NO_ANSWER, grounded: false, citations: [] }));
    } else {
      expectCitationsOfA(res.body);
      expect(res.body.citations[0].externalId).toBe(expected);
    }
  });

  it('follows the conversation: "what about its price?" after a question on Orbit sync cites the Orbit price', async () => {
    const res = await ask(wsA, owner, { question: 'What about its price?', conversationId }).expect(200);
    expect(res.body.conversationId).toBe(conversationId);
    expectCitationsOfA(res.body);
    expect(res.body.citations[0].externalId).toBe('orbit-price');
    expect(res.body.answer).toContain('$12');
  });

  it('keeps the conversation: listed for its owner, its messages in order with roles, tokens, model, function calls and citations', async () => {
    const list = await http().get(`/api/v1/workspaces/${wsA}/conversations`).set(owner.auth).expect(200);
    const mine = list.body.items.find((c: { id: string }) => c.id === conversationId);
    expect(mine).toEqual(expect.objectContaining({ title: 'When does Orbit sync ship?', messageCount: 4, isActive: true }));
    const one = await http().get(`/api/v1/workspaces/${wsA}/conversations/${conversationId}`).set(owner.auth).expect(200);
    const messages = one.body.messages;
    expect(messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(messages.map((m: { content: string }) => m.content.slice(0, 26))).toEqual(['When does Orbit sync ship?', expect.any(String), 'What about its price?', expect.any(String)]);
    for (const a of [messages[1], messages[3]]) {
      expect(a.tokensUsed).toBeGreaterThan(0);
      expect(a.model).toEqual(expect.any(String));
      expect(a.metadata).toEqual(expect.objectContaining({ grounded: true, provider: 'offline' }));
      expect(a.functionCalls).toEqual([
        { name: 'search', arguments: { q: expect.any(String), mode: 'hybrid', limit: 8 }, result: { chunkIds: expect.arrayContaining([a.citations[0].chunkId]), discarded: expect.any(Number) } },
      ]);
      expect(a.citations.length).toBeGreaterThan(0);
    }
    // The follow-up was searched with the conversation's topic.
    expect(messages[3].functionCalls[0].arguments.q).toMatch(/orbit/i);
    expect(messages[0]).toEqual(expect.objectContaining({ tokensUsed: null, model: null, functionCalls: null }));
    // The answer as POSTed is the answer as stored.
    const again = await ask(wsA, owner, { question: 'Who asked about single sign-on?', conversationId }).expect(200);
    const stored = (await http().get(`/api/v1/workspaces/${wsA}/conversations/${conversationId}`).set(owner.auth).expect(200)).body.messages.at(-1);
    expect(stored).toEqual(expect.objectContaining({ id: again.body.messageId, content: again.body.answer, citations: again.body.citations }));
  });

  it('records questions asked at the same time in one conversation one after the other', async () => {
    const start = await ask(wsA, owner, { question: 'When is the team lunch?' }).expect(200);
    const id = start.body.conversationId;
    const answers = await Promise.all(['Who asked about single sign-on?', 'Is there a bug with CSV exports?', 'Which database do we use for billing?'].map((question) => ask(wsA, owner, { question, conversationId: id })));
    for (const a of answers) expect(a.status).toBe(200);
    const kept = await http().get(`/api/v1/workspaces/${wsA}/conversations/${id}`).set(owner.auth).expect(200);
    expect(kept.body.messageCount).toBe(8);
    const messages: { id: string; role: string; metadata: { replyTo?: string } }[] = kept.body.messages;
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    // Each answer right after its own question.
    for (let i = 1; i < messages.length; i += 2) expect(messages[i].metadata.replyTo).toBe(messages[i - 1].id);
  });

  it("hides a conversation from everyone but its owner: another member, another workspace (404)", async () => {
    await http().get(`/api/v1/workspaces/${wsA}/conversations/${conversationId}`).set(colleague.auth).expect(404);
    const followUp = await ask(wsA, colleague, { question: 'What about its price?', conversationId }).expect(404);
    expect(followUp.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(followUp.body.code).toBe('KNOWLEDGE.CONVERSATION_NOT_FOUND');
    await http().delete(`/api/v1/workspaces/${wsA}/conversations/${conversationId}`).set(colleague.auth).expect(404);
    const theirs = await http().get(`/api/v1/workspaces/${wsA}/conversations`).set(colleague.auth).expect(200);
    expect(theirs.body.items.map((c: { id: string }) => c.id)).not.toContain(conversationId);
    // The owner of B asks B for A's conversation; A's owner asks B (not a member).
    await http().get(`/api/v1/workspaces/${wsB}/conversations/${conversationId}`).set(ownerOfB.auth).expect(404);
    await ask(wsB, ownerOfB, { question: 'What about its price?', conversationId }).expect(404);
    await http().get(`/api/v1/workspaces/${wsB}/conversations/${conversationId}`).set(owner.auth).expect(404);
    await ask(wsB, owner, { question: 'When does Orbit sync ship?' }).expect(404);
  });

  it('refuses bad input with 400 problem+json, and unknown ids with 404', async () => {
    const bad = [
      {},
      { question: '' },
      { question: '   \n ' },
      { question: 'x'.repeat(4001) },
      { question: 42 },
      { question: 'ok?', conversationId: 'not-a-uuid' },
      { question: 'ok?', extra: true },
    ];
    for (const body of bad) {
      const res = await ask(wsA, owner, body).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    await ask(wsA, owner, { question: 'x'.repeat(4000) }).expect(200);
    await http().get(`/api/v1/workspaces/${wsA}/conversations`).query({ limit: 0 }).set(owner.auth).expect(400);
    await http().get(`/api/v1/workspaces/${wsA}/conversations`).query({ cursor: 'garbage' }).set(owner.auth).expect(400);
    await ask(wsA, owner, { question: 'When does Orbit sync ship?', conversationId: uuidv7() }).expect(404);
    await http().get(`/api/v1/workspaces/${wsA}/conversations/not-a-uuid`).set(owner.auth).expect(404);
    await http().get(`/api/v1/workspaces/${wsA}/conversations/${uuidv7()}`).set(owner.auth).expect(404);
  });

  it('lets a viewer ask and keep conversations; refuses API keys (conversations belong to users)', async () => {
    const res = await ask(wsA, viewer, { question: 'When does Orbit sync ship?' }).expect(200);
    expect(res.body.grounded).toBe(true);
    const list = await http().get(`/api/v1/workspaces/${wsA}/conversations`).set(viewer.auth).expect(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([res.body.conversationId]);
    const key = await http().post(`/api/v1/workspaces/${wsA}/api-keys`).set(owner.auth).send({ name: 'bot', role: 'member' }).expect(201);
    const byKey = await http().post(`/api/v1/workspaces/${wsA}/ask`).set('X-API-Key', key.body.key).send({ question: 'When does Orbit sync ship?' }).expect(403);
    expect(byKey.body.code).toBe('KNOWLEDGE.CONVERSATIONS_NEED_A_USER');
  });

  it('pages the caller\'s conversations newest first, and archives one (gone from list and reads; archiving again is fine)', async () => {
    const user = await signUpVerified(app);
    await http().post(`/api/v1/workspaces/${wsA}/members`).set(owner.auth).send({ email: user.email, role: 'member' }).expect(201);
    const ids: string[] = [];
    for (const q of ['When does Orbit sync ship?', 'What does Helios analytics cost?', 'Which CSV export bug is in review?']) ids.push((await ask(wsA, user, { question: q }).expect(200)).body.conversationId);
    const first = await http().get(`/api/v1/workspaces/${wsA}/conversations`).query({ limit: 2 }).set(user.auth).expect(200);
    expect(first.body.items.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]]);
    const second = await http().get(`/api/v1/workspaces/${wsA}/conversations`).query({ limit: 2, cursor: first.body.nextCursor }).set(user.auth).expect(200);
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });

    await http().delete(`/api/v1/workspaces/${wsA}/conversations/${ids[1]}`).set(user.auth).expect(204);
    await http().delete(`/api/v1/workspaces/${wsA}/conversations/${ids[1]}`).set(user.auth).expect(204);
    await http().get(`/api/v1/workspaces/${wsA}/conversations/${ids[1]}`).set(user.auth).expect(404);
    await ask(wsA, user, { question: 'And its price?', conversationId: ids[1] }).expect(404);
    const after = await http().get(`/api/v1/workspaces/${wsA}/conversations`).set(user.auth).expect(200);
    expect(after.body.items.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[0]]);
    await http().delete(`/api/v1/workspaces/${wsA}/conversations/${uuidv7()}`).set(user.auth).expect(404);
  });

  it("erasing a user shreds their questions and answers in the log and the views, and a rebuild gives the same views", async () => {
    const asker = await signUpVerified(app);
    await http().post(`/api/v1/workspaces/${wsA}/members`).set(owner.auth).send({ email: asker.email, role: 'member' }).expect(201);
    const secret = `Does Orbit sync work with the Zanzibar${uuidv7().slice(-6)} project?`;
    const first = await ask(wsA, asker, { question: secret }).expect(200);
    const second = await ask(wsA, asker, { question: 'What about its price?', conversationId: first.body.conversationId }).expect(200);
    // The random project name can change what retrieval finds, so the answers' own citations are the reference.
    const citedMessages = [first.body, second.body].map((b: { citations: Citation[] }) => b.citations.map((c) => c.messageId));
    expect(citedMessages.flat().length).toBeGreaterThan(0);
    const clear = await pool.query(`SELECT count(*)::int AS n FROM events WHERE payload::text LIKE $1`, [`%${secret.slice(-20)}%`]);
    expect(clear.rows[0].n).toBe(0);

    await http().delete(`/api/v1/admin/subjects/${asker.userId}`).set({ Authorization: `Bearer ${TOKEN}` }).expect(200);
    const views = async () => ({
      conversations: (await pool.query(`SELECT * FROM knowledge_ai_conversations_view ORDER BY id`)).rows,
      messages: (await pool.query(`SELECT * FROM knowledge_ai_messages_view ORDER BY id`)).rows,
    });
    const erased = await views();
    const theirs = erased.conversations.find((c) => c.id === first.body.conversationId);
    expect(theirs.title).toBe('[erased]');
    const theirMessages = erased.messages.filter((m) => m.conversation_id === first.body.conversationId);
    expect(theirMessages).toHaveLength(4);
    for (const m of theirMessages) expect(m.content).toBe('[erased]');
    const answers = theirMessages.filter((x) => x.role === 'assistant').sort((a, b) => String(a.id).localeCompare(String(b.id))); // uuid v7: id order is time order
    expect(answers).toHaveLength(2);
    answers.forEach((m, i) => {
      expect(m.function_calls[0].arguments.q).toBe('[erased]');
      // Citations point at the workspace's messages, not at the asker's words: erasing keeps them.
      expect(m.citations.map((c: { messageId: string }) => c.messageId)).toEqual(citedMessages[i]);
    });
    expect(JSON.stringify(erased)).not.toContain(secret.slice(-20));
    // Others' conversations are untouched.
    expect(erased.conversations.find((c) => c.id === conversationId).title).toBe('When does Orbit sync ship?');

    for (const name of ['knowledge.ai-conversations', 'knowledge.ai-messages']) {
      const r = await http().post(`/api/v1/admin/projections/${name}/rebuild`).set({ Authorization: `Bearer ${TOKEN}` }).expect(202);
      await eventually(async () => {
        const list = await http().get('/api/v1/admin/projections/rebuilds').query({ projection: name }).set({ Authorization: `Bearer ${TOKEN}` }).expect(200);
        expect(list.body.items.find((x: { id: string }) => x.id === r.body.rebuildId)?.status).toBe('completed');
      }, 20_000, 100);
    }
    expect(await views()).toEqual(erased);
  });
});

/**
 * With LLM_PROVIDER=openai (a fake OpenAI-compatible server): the answer is the model's, its
 * citations renumbered to the list, metered under knowledge.ask; an uncited or "no answer"
 * reply is not shown; provider failures are 502/503/504 problem+json with the question kept;
 * a query the embedder cannot embed is answered from full-text search.
 */
describe('knowledge: Ask through an OpenAI-compatible model (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  let fake: FakeOpenAiServer;
  let owner: SignedUp;
  let ws: string;
  let messages: Map<string, { id: string; content: string }>;
  const http = () => request(app.getHttpServer());
  const ask = (body: Record<string, unknown>) => http().post(`/api/v1/workspaces/${ws}/ask`).set(owner.auth).send(body);
  const chatRequests = (from: number) => fake.since(from).filter((r) => r.path === '/v1/chat/completions');

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start({ apiKey: 'sk-fake' });
    testApp = await createTestApp({
      env: {
        LLM_PROVIDER: 'openai',
        LLM_BASE_URL: fake.baseUrl,
        LLM_API_KEY: 'sk-fake',
        LLM_MODEL: 'fake-model',
        LLM_MAX_RETRIES: '0',
        LLM_TIMEOUT_MS: '1500',
        // Embeddings through the fake too (its vectors are the offline embedder's).
        EMBEDDINGS_PROVIDER: 'openai',
        EMBEDDING_DIMENSION: '384',
      },
    });
    ({ app, pool } = testApp);
    owner = await signUp(app);
    ws = await createWorkspace(app, owner);
    await importCorpus(app, ws, owner, corpusA);
    await untilSearchable(pool, ws, corpusA.length);
    messages = await messagesOf(app, ws, owner);
  });
  afterAll(async () => {
    await testApp?.close();
    await fake?.close();
  });
  afterEach(() => fake.replyWith());

  it("answers with the model's reply, citing the documents it cites, metered under knowledge.ask for the workspace", async () => {
    const from = fake.requests.length;
    fake.replyWith(() => 'Orbit sync ships on May 14 [1].');
    const res = await ask({ question: 'When does Orbit sync ship?' }).expect(200);
    expect(res.body).toEqual(expect.objectContaining({ answer: 'Orbit sync ships on May 14 [1].', grounded: true, model: 'fake-model' }));
    expect(res.body.citations).toEqual([expect.objectContaining({ n: 1, externalId: 'orbit-ship', messageId: messages.get('orbit-ship')!.id })]);
    expect(res.body.usage.totalTokens).toBeGreaterThan(0);
    // The model saw the question and the relevant passages, numbered, and nothing unrelated.
    const [sent] = chatRequests(from);
    const prompt = JSON.stringify(sent.body.messages);
    expect(prompt).toContain('When does Orbit sync ship?');
    expect(prompt).toContain('[1] Priya Raman in #product');
    expect(prompt).not.toContain('Team lunch');
    const usage = await pool.query(`SELECT workspace_id, node_name, provider, model, status, total_tokens FROM llm_usage_logs WHERE workflow_name = 'knowledge.ask'`);
    expect(usage.rows).toEqual([{ workspace_id: ws, node_name: 'answer', provider: 'openai', model: 'fake-model', status: 'ok', total_tokens: res.body.usage.totalTokens }]);
  });

  it('renumbers the cited documents to 1..k in reading order, dropping markers that point nowhere', async () => {
    // The model cites the later passage first: its [n] must be renumbered for the text to match the list.
    let cited: { first: string; second: string } | undefined;
    fake.replyWith((body) => {
      const passages = String(body.messages.find((m: { content: string }) => m.content.includes('Passages:')).content);
      const position = (words: string) => Number(new RegExp(`\\[(\\d+)\\][^\\n]*${words}`).exec(passages)![1]);
      const [price, ship] = [position('Orbit sync price'), position('Orbit sync ships')];
      cited = price > ship ? { first: 'orbit-price', second: 'orbit-ship' } : { first: 'orbit-ship', second: 'orbit-price' };
      return `The first fact [${Math.max(price, ship)}]. The second fact [${Math.min(price, ship)}][9].`;
    });
    const res = await ask({ question: 'When does Orbit sync ship and what does it cost per seat?' }).expect(200);
    expect(res.body.answer).toBe('The first fact [1]. The second fact [2].');
    expect(res.body.citations.map((c: Citation) => [c.n, c.externalId])).toEqual([
      [1, cited!.first],
      [2, cited!.second],
    ]);
  });

  it('shows no answer when the model finds none in the documents or cites nothing', async () => {
    for (const reply of ['NO_ANSWER_IN_DOCUMENTS', 'Orbit sync probably ships soon, and it is great.']) {
      fake.replyWith(() => reply);
      const res = await ask({ question: 'When does Orbit sync ship?' }).expect(200);
      expect(res.body).toEqual(expect.objectContaining({ answer: NO_ANSWER, grounded: false, citations: [], model: 'fake-model' }));
    }
  });

  it('does not call the model when nothing relevant was found', async () => {
    const from = fake.requests.length;
    const res = await ask({ question: 'What is the recipe for Bavarian plum dumplings?' }).expect(200);
    expect(res.body).toEqual(expect.objectContaining({ answer: NO_ANSWER, grounded: false, citations: [] }));
    expect(chatRequests(from)).toEqual([]);
  });

  it('answers 503 with Retry-After when the provider is rate-limited, keeping the question with a note; asking again works', async () => {
    fake.failNext(1, { status: 429, retryAfterSeconds: 7 }, '/v1/chat/completions');
    const res = await ask({ question: 'When does Orbit sync ship?' }).expect(503);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.body).toEqual(expect.objectContaining({ status: 503, title: 'Service Unavailable', code: 'KNOWLEDGE.ANSWER_PROVIDER_UNAVAILABLE' }));
    const conversationId = res.headers['x-conversation-id'];
    const kept = await http().get(`/api/v1/workspaces/${ws}/conversations/${conversationId}`).set(owner.auth).expect(200);
    expect(kept.body.messageCount).toBe(1);
    expect(kept.body.messages).toEqual([
      expect.objectContaining({ role: 'user', content: 'When does Orbit sync ship?', metadata: { error: expect.objectContaining({ kind: 'rate_limited', retryable: true }) } }),
    ]);
    const failed = await pool.query(`SELECT count(*)::int AS n FROM llm_usage_logs WHERE workflow_name = 'knowledge.ask' AND status = 'error' AND workspace_id = $1`, [ws]);
    expect(failed.rows[0].n).toBeGreaterThan(0);

    fake.replyWith(() => 'Orbit sync ships on May 14 [1].');
    const again = await ask({ question: 'When does Orbit sync ship?', conversationId }).expect(200);
    expect(again.body.grounded).toBe(true);
    const after = await http().get(`/api/v1/workspaces/${ws}/conversations/${conversationId}`).set(owner.auth).expect(200);
    expect(after.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'user', 'assistant']);
  });

  it('answers from full-text search alone when the question cannot be embedded', async () => {
    fake.failNext(1, { status: 500 }, '/v1/embeddings');
    fake.replyWith(() => 'Orbit sync ships on May 14 [1].');
    const res = await ask({ question: 'When does Orbit sync ship?' }).expect(200);
    expect(res.body).toEqual(expect.objectContaining({ answer: 'Orbit sync ships on May 14 [1].', grounded: true }));
    expect(res.body.citations[0].externalId).toBe('orbit-ship');
    const kept = await http().get(`/api/v1/workspaces/${ws}/conversations/${res.body.conversationId}`).set(owner.auth).expect(200);
    expect(kept.body.messages[1].functionCalls[0].arguments).toEqual({ q: 'When does Orbit sync ship?', mode: 'fulltext', limit: 8 });
  });

  it('answers 502 when the provider refuses the call and 504 when it does not answer in time', async () => {
    fake.failNext(1, { status: 401 }, '/v1/chat/completions');
    const refused = await ask({ question: 'When does Orbit sync ship?' }).expect(502);
    expect(refused.body).toEqual(expect.objectContaining({ status: 502, title: 'Bad Gateway', code: 'KNOWLEDGE.ANSWER_PROVIDER_FAILED' }));
    // The provider's own error text stays in the operator's log, out of the conversation.
    const note = await http().get(`/api/v1/workspaces/${ws}/conversations/${refused.headers['x-conversation-id']}`).set(owner.auth).expect(200);
    expect(note.body.messages[0].metadata.error).toEqual(expect.objectContaining({ kind: 'auth', message: "The answer model refused the platform's credentials.", retryable: false }));
    expect(refused.headers['retry-after']).toBeUndefined();
    fake.failNext(1, 'timeout', '/v1/chat/completions');
    const late = await ask({ question: 'When does Orbit sync ship?' }).expect(504);
    expect(late.body).toEqual(expect.objectContaining({ status: 504, title: 'Gateway Timeout', code: 'KNOWLEDGE.ANSWER_PROVIDER_TIMEOUT' }));
    expect(late.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
