import { Injectable, Module } from '@nestjs/common';
import { KnowledgeSearch } from '@modules/knowledge/contracts';
import { KnowledgeSearchCoreModule } from '@modules/knowledge/knowledge-search.module';
import { eventually } from '@test/support/eventually';
import { createWorkspace, signUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';
import { HybridKnowledgeSearch } from './hybrid-knowledge-search';

/** Stands for another module (analysis, crm): it knows knowledge only by its contracts' DI token. */
@Injectable()
class OtherModuleReader {
  constructor(readonly search: KnowledgeSearch) {}
}

@Module({ imports: [KnowledgeSearchCoreModule], providers: [OtherModuleReader] })
class OtherModule {}

const MESSAGES = [
  { externalId: 'refund-1', content: 'The customer asked for a refund of the annual plan after the price increase.' },
  { externalId: 'refund-2', content: 'Another refund request: the annual plan price went up and they want their money back.' },
  { externalId: 'outage', content: 'The Frankfurt data centre had a network outage for forty minutes this morning.' },
  { externalId: 'lunch', content: 'Team lunch moves to Thursday at the Italian place near the office.' },
];

describe('KnowledgeSearch facade through DI (contracts token, bound with useExisting)', () => {
  let testApp: TestApp;
  let ws: string;
  let reader: OtherModuleReader;
  const messageId = async (externalId: string): Promise<string> =>
    (await testApp.pool.query(`SELECT DISTINCT message_id FROM knowledge_rag_chunks WHERE workspace_id = $1 AND external_id = $2`, [ws, externalId])).rows[0].message_id;

  beforeAll(async () => {
    testApp = await createTestApp({ extraModules: [OtherModule] });
    const owner = await signUp(testApp.app);
    ws = await createWorkspace(testApp.app, owner);
    await testApp.http().post(`/api/v1/workspaces/${ws}/messages/import`).set(owner.auth).send({ source: { kind: 'api', name: 'notes' }, messages: MESSAGES.map((m, i) => ({ ...m, sentAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(), author: { name: 'Ann' } })) }).expect(202);
    await eventually(async () => {
      const r = await testApp.pool.query(`SELECT count(DISTINCT message_id)::int AS messages, count(*) FILTER (WHERE embedding_status <> 'ready')::int AS waiting FROM knowledge_rag_chunks WHERE workspace_id = $1`, [ws]);
      expect(r.rows[0]).toEqual({ messages: MESSAGES.length, waiting: 0 });
    }, 30_000, 100);
    reader = testApp.app.get(OtherModuleReader);
  });
  afterAll(() => testApp?.close());

  it('injects the one search implementation the app uses', () => {
    expect(reader.search).toBeInstanceOf(HybridKnowledgeSearch);
    expect(testApp.app.get(KnowledgeSearch)).toBe(reader.search);
  });

  it('searches with citations', async () => {
    const hits = await reader.search.search({ workspaceId: ws, q: 'Frankfurt outage', mode: 'hybrid', limit: 5 });
    expect(hits[0]).toMatchObject({ message: { externalId: 'outage', link: { api: `/api/v1/workspaces/${ws}/messages/${hits[0].messageId}` } } });
  });

  it('finds the nearest messages of a message (itself left out) and of a text, with cosine scores best first', async () => {
    const refund = await messageId('refund-1');
    const ofMessage = await reader.search.similar({ workspaceId: ws, of: { messageId: refund }, limit: 3 });
    expect(ofMessage.map((h) => h.message.externalId)).not.toContain('refund-1');
    expect(ofMessage[0].message.externalId).toBe('refund-2');
    expect(ofMessage.length).toBeLessThanOrEqual(3);
    for (const [i, h] of ofMessage.entries()) {
      expect(h.score).toBeGreaterThan(0);
      expect(h.score).toBeLessThanOrEqual(1 + 1e-6);
      if (i > 0) expect(h.score).toBeLessThanOrEqual(ofMessage[i - 1].score);
    }
    expect(new Set(ofMessage.map((h) => h.messageId)).size).toBe(ofMessage.length);

    const ofText = await reader.search.similar({ workspaceId: ws, of: { text: 'network outage in the Frankfurt data centre' }, limit: 1 });
    expect(ofText.map((h) => h.message.externalId)).toEqual(['outage']);
  });

  it('has no neighbours for a message it does not know', async () => {
    expect(await reader.search.similar({ workspaceId: ws, of: { messageId: '00000000-0000-7000-8000-000000000000' }, limit: 3 })).toEqual([]);
    expect(await reader.search.similar({ workspaceId: ws, of: { messageId: 'not-a-uuid' }, limit: 3 })).toEqual([]);
  });
});
