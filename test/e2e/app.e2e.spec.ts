import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { createTestApp, TestApp } from '@test/support/test-app';
import { TestDatabase } from '@test/support/test-database';
import { CounterTestModule } from '@test/support/fixtures/counter.module';

describe('the application (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let db: TestDatabase | undefined;

  beforeAll(async () => {
    // The pg backend gets a fresh database; otherwise the app starts its own embedded PGlite, as `npm start` does.
    testApp = await createTestApp({ env: { BODY_LIMIT: '64kb', RUN_JOBS: 'true' }, extraModules: [CounterTestModule] });
    ({ app, db } = testApp);
  });
  afterAll(() => testApp?.close());

  const http = () => request(app.getHttpServer());

  it('is live and ready (database reachable, migrations applied)', async () => {
    await http().get('/health').expect(200, { status: 'ok' });
    const ready = await http().get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.details.migrations.backend).toBe(db ? 'pg' : 'embedded');
  });

  it('serves the OpenAPI document listing the routes, and Swagger UI', async () => {
    const doc = await http().get('/api/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/health', '/health/ready']));
    await http().get('/api/docs').expect(200).expect('content-type', /html/);
  });

  it('answers bad JSON with a 400 problem+json carrying the request id', async () => {
    const res = await http()
      .post('/test/workspaces/w/counters/c/increment')
      .set('content-type', 'application/json')
      .send('{"by": ')
      .expect(400)
      .expect('content-type', /application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', title: 'Bad Request' });
    expect(res.headers['x-request-id']).toBeDefined();
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  });

  it('answers an unknown route with a 404 problem+json', async () => {
    const res = await http().get('/api/v1/nothing-here').expect(404).expect('content-type', /problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: 'NOT_FOUND', type: 'urn:problem:not-found' });
  });

  it('answers an oversized body with a 413 problem+json', async () => {
    const res = await http()
      .post('/test/workspaces/w/counters/c/increment')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ by: 1, pad: 'x'.repeat(100_000) }))
      .expect(413)
      .expect('content-type', /problem\+json/);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers invalid fields with VALIDATION_FAILED and the field errors', async () => {
    const res = await http().post('/test/workspaces/w/counters/c/increment').send({ by: 0, extra: true }).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: any) => e.field).sort()).toEqual(['by', 'extra']);
  });

  describe('the event-sourced write path', () => {
    const ws = uuidv7();
    const path = (id: string) => `/test/workspaces/${ws}/counters/${id}/increment`;

    it('puts request id, workspace and command id into the events metadata and answers the ETag', async () => {
      const res = await http().post(path('a')).set('X-Request-Id', 'req-abc-1').send({ by: 5 }).expect(200);
      expect(res.body).toEqual({ counterId: 'a', total: 5 });
      expect(res.headers.etag).toBe('"1"');
      expect(res.headers['x-request-id']).toBe('req-abc-1');
      const store = app.get(PostgresEventStore);
      const read = await store.readStream('counter-a');
      expect(read.events[0]).toMatchObject({
        type: 'test.counter-incremented',
        workspaceId: ws,
        correlationId: 'req-abc-1',
        streamType: 'counter',
      });
      expect(read.events[0].causationId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('refuses a stale If-Match with 409 CONCURRENCY_CONFLICT and accepts the current one', async () => {
      await http().post(path('b')).send({ by: 1 }).expect(200);
      await http().post(path('b')).send({ by: 1 }).expect(200);
      const stale = await http().post(path('b')).set('If-Match', '"1"').send({ by: 1 }).expect(409);
      expect(stale.body).toMatchObject({ code: 'CONCURRENCY_CONFLICT', actualVersion: 2, expectedVersion: 1 });
      await http().post(path('b')).set('If-Match', '"2"').send({ by: 1 }).expect(200, { counterId: 'b', total: 3 });
      await http().post(path('b')).set('If-Match', 'garbage').send({ by: 1 }).expect(400);
    });

    it('a retried Idempotency-Key returns the first answer and appends nothing; reused for another body: 422', async () => {
      const first = await http().post(path('c')).set('Idempotency-Key', 'k-1').send({ by: 7 }).expect(200);
      const again = await http().post(path('c')).set('Idempotency-Key', 'k-1').send({ by: 7 }).expect(200);
      expect(again.body).toEqual(first.body);
      expect((await app.get(PostgresEventStore).readStream('counter-c')).currentVersion).toBe(1);
      const misuse = await http().post(path('c')).set('Idempotency-Key', 'k-1').send({ by: 8 }).expect(422);
      expect(misuse.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    it('maps a business rule refusal to its registered status (422) and stores nothing', async () => {
      for (let i = 0; i < 2; i++) await http().post(path('d')).send({ by: 50 }).expect(200);
      const res = await http().post(path('d')).send({ by: 1 }).expect(422);
      expect(res.body).toMatchObject({ code: 'TEST.COUNTER_LIMIT_REACHED', total: 100 });
      expect((await app.get(PostgresEventStore).readStream('counter-d')).currentVersion).toBe(2);
    });

    it('concurrent commands without If-Match all succeed by retrying on conflict', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => http().post(path('e')).send({ by: 1 })));
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect((await app.get(PostgresEventStore).readStream('counter-e')).currentVersion).toBe(8);
    });
  });
});
