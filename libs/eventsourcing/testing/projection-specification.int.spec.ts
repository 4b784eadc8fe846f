import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { StreamCountsProjection } from '@test/support/fixtures/stream-counts.projection';
import { DomainEvent } from '@libs/eventsourcing/decider';
import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';

type CountEvent = DomainEvent<'test.thing-counted', { amount: number }> | DomainEvent<'test.thing-removed', Record<string, never>>;
const counted = (amount: number): CountEvent => ({ type: 'test.thing-counted', data: { amount } });
const removed: CountEvent = { type: 'test.thing-removed', data: {} };

describe('ProjectionSpecification (given / when / then on a row projection and a real database)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(2);
    await StreamCountsProjection.createTable(db.pool);
  });
  afterAll(async () => db?.close());

  const spec = ProjectionSpecification<CountEvent>(new StreamCountsProjection(), () => db.pool, {
    columns: ['id', 'count::int AS count', 'last_version::int AS last_version', 'total::int AS total'],
    streamId: 's-1',
  });

  it('then: the rows after the given and the new events, versions counted per stream', async () => {
    await spec
      .given([counted(1), { ...counted(10), streamId: 's-2' }])
      .when([counted(2)])
      .then([
        { id: 's-1', count: 2, last_version: 2, total: 3 },
        { id: 's-2', count: 1, last_version: 1, total: 10 },
      ]);
  });

  it('the same event object again is a redelivery: same stream version (this fixture counts it twice)', async () => {
    const first = counted(5);
    await spec.given([first]).when([first]).then([{ id: 's-1', count: 2, last_version: 1, total: 10 }]);
  });

  it('a handler returning null deletes the row; each scenario is rolled back', async () => {
    await spec.given([counted(1)]).when([removed]).then([]);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM test_stream_counts_view')).rows).toEqual([{ n: 0 }]);
  });

  it('fails when the rows differ from the expected ones (the helper can fail)', async () => {
    await expect(spec.given([]).when([counted(1)]).then([{ id: 's-1', count: 1, last_version: 1, total: 2 }])).rejects.toThrow(/total/);
    await expect(spec.given([counted(1)]).when([removed]).then([{ id: 's-1', count: 1, last_version: 1, total: 1 }])).rejects.toThrow();
  });
});
