import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { AiCallContext } from '@libs/ai/ai-call';
import { Embedder } from '@libs/ai/embedder';
import { RowEmbeddingConsumer } from '@libs/ai/row-embeddings/row-embedding.consumer';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { ParkedEvents } from '@libs/eventsourcing/subscriptions/parked-events';
import { SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import { KnowledgeGraphAggregates } from '@modules/knowledge/infrastructure/knowledge-graph.aggregates';
import { AtomsProjection } from '@modules/knowledge/projections/atoms.projection';
import { TopicsProjection } from '@modules/knowledge/projections/topics.projection';
import { eventually } from '@test/support/eventually';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { GRAPH_EMBEDDINGS_CONSUMER, graphEmbeddingsConsumer } from './graph-embeddings.consumer';

/** A deterministic 8-dimension embedder that records its calls and can run something mid-call. */
class RecordingEmbedder extends Embedder {
  readonly provider = 'test';
  readonly dimension = 8;
  calls: { texts: string[]; ctx: AiCallContext }[] = [];
  during?: () => Promise<void>;

  constructor(public model: string) {
    super();
  }

  async embed(texts: string[], ctx: AiCallContext): Promise<number[][]> {
    this.calls.push({ texts, ctx });
    const hook = this.during;
    this.during = undefined;
    await hook?.();
    return texts.map((t) => {
      const h = createHash('sha256').update(t).digest();
      const v = Array.from({ length: 8 }, (_, i) => h[i] - 128);
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    });
  }
}

describe('knowledge.graph-embeddings consumer (topics and atoms into their view rows)', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let checkpoints: SubscriptionCheckpoints;
  let aggregates: KnowledgeGraphAggregates;
  let embedder: RecordingEmbedder;
  let topicsEmbedded = 0;
  const ws = uuidv7();
  const meta = (): CommandMetadata => ({ commandId: uuidv7(), workspaceId: ws, actorId: 'user-1', correlationId: uuidv7(), now: new Date() });

  beforeAll(async () => {
    db = await createTestDatabase(8);
    store = new PostgresEventStore(db.pool, { namedStatements: db.backend === 'pg' });
    checkpoints = new SubscriptionCheckpoints(db.pool);
    await checkpoints.ensure(GRAPH_EMBEDDINGS_CONSUMER, 'integration');
    const registry = new ProjectionRegistry();
    registry.register(new TopicsProjection(), new AtomsProjection());
    aggregates = new KnowledgeGraphAggregates(new EventSourcedCommandHandler(store, { pool: db.pool, registry }));
    embedder = new RecordingEmbedder('fake-v1');
  });
  afterAll(async () => db?.close());

  const consumer = () =>
    graphEmbeddingsConsumer({ store, pool: db.pool, checkpoints, parked: new ParkedEvents(db.pool) }, { batchSize: 100, maxAttempts: 2, backoffMs: 1, holder: 'test' }, embedder, () => {
      topicsEmbedded++;
    });
  const drain = async (c: RowEmbeddingConsumer) => {
    for (let i = 0; i < 100; i++) if ((await c.processNext()).caughtUp) return;
    throw new Error('did not catch up');
  };
  // On a shared PostgreSQL server another database's open transaction can hold the log's safe horizon back for a moment.
  const drainUntil = (c: RowEmbeddingConsumer, done: () => Promise<boolean>) =>
    eventually(async () => {
      await drain(c);
      return done();
    }, 10_000, 20);
  const atomRow = async (id: string) =>
    (await db.pool.query(`SELECT title, embedding::text AS embedding, embedding_model, embedding_text_md5 = md5(title || E'\\n' || content) AS fresh FROM knowledge_atoms_view WHERE id = $1`, [id])).rows[0];
  const createAtom = async (title: string) => {
    const atomId = uuidv7();
    await aggregates.atom.handle(atomId, { kind: 'create', atomId, workspaceId: ws, type: 'insight', title, content: `${title}, in detail`, now: new Date() }, meta());
    return atomId;
  };

  it('embeds new topics and atoms once, metered to their workspace under knowledge.atoms', async () => {
    const topicId = uuidv7();
    await aggregates.topic.handle(topicId, { kind: 'create', topicId, workspaceId: ws, name: 'Billing', description: 'Invoices', now: new Date() }, meta());
    const atomId = await createAtom('Refunds take a week');
    await drainUntil(consumer(), async () => (await atomRow(atomId)).embedding !== null);
    expect(await atomRow(atomId)).toEqual(expect.objectContaining({ embedding_model: 'fake-v1', fresh: true, embedding: expect.stringMatching(/^\[/) }));
    const topic = (await db.pool.query(`SELECT embedding_model FROM knowledge_topics_view WHERE id = $1`, [topicId])).rows[0];
    expect(topic.embedding_model).toBe('fake-v1');
    expect(embedder.calls.map((c) => [c.texts, c.ctx])).toEqual([
      [['Billing\nInvoices'], { workspaceId: ws, workflow: 'knowledge.atoms', node: 'embed-topics' }],
      [['Refunds take a week\nRefunds take a week, in detail'], { workspaceId: ws, workflow: 'knowledge.atoms', node: 'embed-atoms' }],
    ]);
    expect(topicsEmbedded).toBe(1);
    // Redelivery of the same events (checkpoint moved back) embeds nothing again: the rows are fresh.
    embedder.calls = [];
    await db.pool.query(`UPDATE subscription_checkpoints SET last_tx = '0', last_pos = 0 WHERE name = $1`, [GRAPH_EMBEDDINGS_CONSUMER]);
    await drain(consumer());
    expect(embedder.calls).toEqual([]);
  });

  it('never writes a vector of a text that changed while it was embedded; the edit is embedded by its own event', async () => {
    const atomId = await createAtom('Old title');
    const c = consumer();
    embedder.during = async () => {
      await aggregates.atom.handle(atomId, { kind: 'update', workspaceId: ws, changes: { title: 'New title' }, now: new Date() }, meta());
    };
    await eventually(async () => {
      await c.processNext();
      return embedder.during === undefined;
    }, 10_000, 20);
    expect(await atomRow(atomId)).toEqual(expect.objectContaining({ title: 'New title', embedding: null }));
    await drainUntil(c, async () => (await atomRow(atomId)).embedding !== null);
    expect(await atomRow(atomId)).toEqual(expect.objectContaining({ title: 'New title', embedding_model: 'fake-v1', fresh: true }));
    expect(embedder.calls.at(-1)!.texts).toEqual(['New title\nOld title, in detail']);
  });

  it('heals rows without a vector, of another model, or of another text (a rebuild, a model change, a lost write)', async () => {
    const [a, b, c] = [await createAtom('Alpha'), await createAtom('Beta'), await createAtom('Gamma')];
    await drainUntil(consumer(), async () => (await atomRow(c)).embedding !== null);
    await db.pool.query(`UPDATE knowledge_atoms_view SET embedding = NULL WHERE id = $1`, [a]);
    await db.pool.query(`UPDATE knowledge_atoms_view SET embedding_model = 'older-model' WHERE id = $1`, [b]);
    await db.pool.query(`UPDATE knowledge_atoms_view SET embedding_text_md5 = 'stale' WHERE id = $1`, [c]);
    embedder.calls = [];
    // The frequent sweep finds missing vectors and other models; the rare full one also a vector of another text.
    expect(await consumer().heal(false)).toBe(2);
    expect((await atomRow(c)).fresh).toBe(false);
    expect(await consumer().heal()).toBe(1);
    for (const id of [a, b, c]) expect(await atomRow(id)).toEqual(expect.objectContaining({ embedding_model: 'fake-v1', fresh: true }));
    expect(await consumer().heal()).toBe(0);

    // A new model: everything is embedded again, in the new space.
    embedder.model = 'fake-v2';
    const before = topicsEmbedded;
    const healed = await consumer().heal();
    expect(healed).toBe((await db.pool.query(`SELECT count(*)::int AS n FROM knowledge_atoms_view`)).rows[0].n + 1);
    expect((await db.pool.query(`SELECT DISTINCT embedding_model FROM knowledge_atoms_view`)).rows).toEqual([{ embedding_model: 'fake-v2' }]);
    expect(topicsEmbedded).toBeGreaterThan(before);
  });
});
