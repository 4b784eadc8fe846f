import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { eventually } from '@test/support/eventually';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';
import { zip } from '@test/support/zip-writer';

/**
 * Issue 11, item 7: every import input is bounded (IMPORT_* limits, small here). Over a limit:
 * 413 problem+json with a stable code at once, or a job that fails saying which limit and how far
 * it got; what was stored before stays. Too many imports at once: 429 with Retry-After.
 */
describe('ingestion: import limits (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let owner: SignedUp;
  let ws: string;
  let port: number;
  const http = () => request(app.getHttpServer());
  const KB = 1024;
  const MB = 1024 * KB;

  beforeAll(async () => {
    testApp = await createTestApp({
      env: {
        // No consumers: the limits are the intake's, and scoring thousands of messages would only slow the embedded database.
        RUN_SUBSCRIPTIONS: 'false',
        SECRETS_KEYS: `k1:${randomBytes(32).toString('base64')}`,
        IMPORT_MAX_FILE_MB: '8',
        IMPORT_MAX_LINE_BYTES: String(4 * KB),
        IMPORT_BODY_MAX_MB: '1',
        IMPORT_ZIP_MAX_ENTRIES: '20',
        IMPORT_ZIP_MAX_ENTRY_MB: '1',
        IMPORT_ZIP_MAX_TOTAL_MB: '2',
        IMPORT_JSON_MAX_MB: '1',
        IMPORT_MAX_CONCURRENT_PER_WORKSPACE: '1',
      },
      listen: true,
    });
    app = testApp.app;
    port = testApp.port!;
    owner = await signUp(app);
    ws = await createWorkspace(app, owner);
    // Stored before any refusal: must still be there after each one.
    await http()
      .post(`/api/v1/workspaces/${ws}/messages/import`)
      .set(owner.auth)
      .send({ source: { kind: 'api', name: 'Earlier' }, messages: [msg('earlier-1'), msg('earlier-2')] })
      .expect(202);
  });
  afterAll(() => testApp?.close());

  function msg(externalId: string, extra: Record<string, unknown> = {}) {
    return { externalId, content: `Message ${externalId} about the CSV export`, sentAt: '2026-03-01T10:00:00Z', ...extra };
  }
  const line = (externalId: string) => `${JSON.stringify(msg(externalId))}\n`;
  const problem = (res: { status: number; body: any; headers: Record<string, string | string[] | undefined> }, status: number, code: string) => {
    expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  };
  const sourceId = async (name: string) => (await http().get(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).expect(200)).body.items.find((s: { name: string }) => s.name === name)?.id;
  const externalIds = async (source: string) => {
    const id = await sourceId(source);
    if (!id) return [];
    const res = await http().get(`/api/v1/workspaces/${ws}/messages`).query({ source: id, limit: 500 }).set(owner.auth).expect(200);
    return res.body.items.map((m: { externalId: string }) => m.externalId).sort();
  };
  const earlierStillThere = async () => expect(await externalIds('Earlier')).toEqual(['earlier-1', 'earlier-2']);
  const job = async (jobId: string) => (await http().get(`/api/v1/workspaces/${ws}/jobs/${jobId}`).set(owner.auth).expect(200)).body;
  const finished = (jobId: string) => eventually(async () => ((await job(jobId)).status === 'running' ? false : job(jobId)), 30_000, 50);
  const upload = (file: Buffer, name: string, fields: Record<string, string> = {}, workspace = ws) => {
    let req = http().post(`/api/v1/workspaces/${workspace}/imports`).set(owner.auth);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return req.attach('file', file, name);
  };

  /** A streamed (chunked, no Content-Length) POST: `chunks` are written one by one, `hold` keeps the body open until it resolves. */
  function streamPost(path: string, contentType: string, chunks: Iterable<string | Buffer>, hold?: Promise<void>) {
    return new Promise<{ status: number; body: any; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': contentType, authorization: owner.auth.Authorization } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null, headers: res.headers }));
        res.on('error', reject);
      });
      req.on('error', reject);
      void (async () => {
        for (const c of chunks) if (!req.write(c)) await new Promise((r) => req.once('drain', r));
        await hold;
        req.end();
      })();
    });
  }

  describe('NDJSON and CSV bodies of POST /messages/import', () => {
    it('an over-long NDJSON line: 413 INGESTION.IMPORT_LINE_TOO_LONG naming the line; the lines before it are stored, the job failed saying so', async () => {
      const body = [line('nd-1'), line('nd-2'), line('nd-3'), `{"externalId":"nd-4","content":"${'x'.repeat(10 * KB)}","sentAt":"2026-03-01"}\n`, line('nd-5')].join('');
      const res = await http().post(`/api/v1/workspaces/${ws}/messages/import?sourceKind=api&sourceName=LongLine`).set(owner.auth).set('Content-Type', 'application/x-ndjson').send(body);
      problem(res, 413, 'INGESTION.IMPORT_LINE_TOO_LONG');
      expect(res.body).toEqual(expect.objectContaining({ limit: 'IMPORT_MAX_LINE_BYTES', max: 4 * KB, line: 4, jobId: expect.any(String), rows: 3, accepted: 3 }));
      expect(res.body.detail).toMatch(/^Line 4 is longer than 4 KiB \(IMPORT_MAX_LINE_BYTES\)/);
      expect(await externalIds('LongLine')).toEqual(['nd-1', 'nd-2', 'nd-3']);
      const failed = await job(res.body.jobId);
      expect(failed).toEqual(expect.objectContaining({ status: 'failed', counters: expect.objectContaining({ fetched: 3, stored: 3 }) }));
      expect(failed.errors.at(-1).errors[0].message).toMatch(/^INGESTION\.IMPORT_LINE_TOO_LONG: Line 4 is longer .* Stopped after 3 rows \(3 stored, 0 duplicates, 0 rejected\): what was stored stays$/);
      await earlierStillThere();
      // The same limit in a file import ends its job failed, keeping the lines before.
      const file = await upload(Buffer.from(body.replace(/nd-/g, 'file-nd-')), 'lines.ndjson').expect(202);
      const fileJob = await finished(file.body.jobId);
      expect(fileJob).toEqual(expect.objectContaining({ status: 'failed', counters: expect.objectContaining({ stored: 3 }) }));
      expect(fileJob.errors.at(-1).errors[0].message).toMatch(/^INGESTION\.IMPORT_LINE_TOO_LONG: Line 4/);
      expect(await externalIds('lines')).toEqual(['file-nd-1', 'file-nd-2', 'file-nd-3']);
    });

    it('an NDJSON body over IMPORT_BODY_MAX_MB with its Content-Length: 413 INGESTION.IMPORT_BODY_TOO_LARGE at once, nothing started', async () => {
      const body = line('big-1').repeat(Math.ceil((1.2 * MB) / line('big-1').length));
      const res = await http().post(`/api/v1/workspaces/${ws}/messages/import?sourceKind=api&sourceName=TooBig`).set(owner.auth).set('Content-Type', 'application/x-ndjson').send(body);
      problem(res, 413, 'INGESTION.IMPORT_BODY_TOO_LARGE');
      expect(res.body).toEqual(expect.objectContaining({ limit: 'IMPORT_BODY_MAX_MB', max: MB }));
      expect(res.body).not.toHaveProperty('jobId');
      expect(await sourceId('TooBig')).toBeUndefined();
      await earlierStillThere();
    });

    it('a streamed CSV body (no Content-Length) that passes IMPORT_BODY_MAX_MB: 413 once it does; the rows before are stored', async () => {
      const rows = function* () {
        yield 'Message ID,Body,Date\n';
        for (let i = 0; i < 2000; i++) yield `csv-${i},"Row ${i}, about the export ${'w'.repeat(1000)}",2026-03-01T10:00:00Z\n`;
      };
      const res = await streamPost(`/api/v1/workspaces/${ws}/messages/import?sourceKind=api&sourceName=Streamed`, 'text/csv', rows());
      problem(res, 413, 'INGESTION.IMPORT_BODY_TOO_LARGE');
      expect(res.body).toEqual(expect.objectContaining({ limit: 'IMPORT_BODY_MAX_MB', jobId: expect.any(String) }));
      expect(res.body.accepted).toBeGreaterThan(900); // ~1,000 rows of ~1 KiB fit in 1 MiB
      expect((await job(res.body.jobId)).status).toBe('failed');
      const stored = await http().get(`/api/v1/workspaces/${ws}/messages`).query({ source: await sourceId('Streamed'), limit: 1 }).set(owner.auth).expect(200);
      expect(stored.body.items).toHaveLength(1);
      await earlierStillThere();
    });

    it('a CSV record past IMPORT_MAX_LINE_BYTES (an unclosed quote): 413 INGESTION.IMPORT_LINE_TOO_LONG, the rows before stored', async () => {
      const body = `Message ID,Body,Date\nq-1,first,2026-03-01\nq-2,"never closed ${'y'.repeat(8 * KB)}`;
      const res = await http().post(`/api/v1/workspaces/${ws}/messages/import?sourceKind=api&sourceName=Quote`).set(owner.auth).set('Content-Type', 'text/csv').send(body);
      problem(res, 413, 'INGESTION.IMPORT_LINE_TOO_LONG');
      expect(res.body).toEqual(expect.objectContaining({ record: 2, accepted: 1 }));
      expect(await externalIds('Quote')).toEqual(['q-1']);
    });
  });

  describe('export files of POST /imports', () => {
    const day = (ts: number, text: string) => JSON.stringify([{ type: 'message', user: 'U1', text, ts: `${ts}.000100` }]);
    const base = [
      { name: 'users.json', data: JSON.stringify([{ id: 'U1', name: 'dana', real_name: 'Dana Scully' }]) },
      { name: 'channels.json', data: JSON.stringify([{ id: 'C1', name: 'general' }]) },
      { name: 'general/2026-03-01.json', data: day(1772352000, 'The first day is imported') },
    ];

    it('a zip bomb whose header declares a small entry that inflates past it: the job fails with INGESTION.IMPORT_ZIP_ENTRY_TOO_LARGE, the day before is stored', async () => {
      // 64 MiB of spaces deflate to ~64 KiB; the headers say 200 bytes.
      const bomb = zip([...base, { name: 'general/2026-03-02.json', data: Buffer.alloc(64 * MB, 0x20), declaredSize: 200 }]);
      expect(bomb.length).toBeLessThan(MB);
      const res = await upload(bomb, 'Bomb.zip').expect(202);
      const failed = await finished(res.body.jobId);
      expect(failed).toEqual(expect.objectContaining({ status: 'failed', counters: expect.objectContaining({ stored: 1 }) }));
      expect(failed.errors.at(-1).errors[0].message).toMatch(/^INGESTION\.IMPORT_ZIP_ENTRY_TOO_LARGE: general\/2026-03-02\.json unpacks to more than the 200 bytes its header declares.*after 1 of 2 day files.*Stopped after 1 rows \(1 stored/);
      expect(await externalIds('Bomb')).toEqual(['C1:1772352000.000100']);
      await earlierStillThere();
    });

    it('entries declared over IMPORT_ZIP_MAX_ENTRY_MB or IMPORT_ZIP_MAX_TOTAL_MB, or over IMPORT_ZIP_MAX_ENTRIES: 413 at once, no job', async () => {
      const big = zip([...base, { name: 'general/2026-03-02.json', data: Buffer.alloc(2 * MB, 0x20) }]);
      const entry = await upload(big, 'Big.zip');
      problem(entry, 413, 'INGESTION.IMPORT_ZIP_ENTRY_TOO_LARGE');
      expect(entry.body).toEqual(expect.objectContaining({ limit: 'IMPORT_ZIP_MAX_ENTRY_MB', entry: 'general/2026-03-02.json' }));
      const total = zip([...base, ...[2, 3, 4].map((d) => ({ name: `general/2026-03-0${d}.json`, data: Buffer.alloc(900 * KB, 0x20) }))]);
      problem(await upload(total, 'Total.zip'), 413, 'INGESTION.IMPORT_ZIP_TOO_LARGE');
      const many = zip([...base, ...Array.from({ length: 30 }, (_, i) => ({ name: `general/2026-04-${String(i + 1).padStart(2, '0')}.json`, data: '[]' }))]);
      const count = await upload(many, 'Many.zip');
      problem(count, 413, 'INGESTION.IMPORT_ZIP_TOO_MANY_ENTRIES');
      expect(count.body.detail).toMatch(/33 entries, more than the 20 .*IMPORT_ZIP_MAX_ENTRIES/);
      for (const name of ['Big', 'Total', 'Many']) expect(await sourceId(name)).toBeUndefined();
      await earlierStillThere();
    });

    it('a JSON file over IMPORT_JSON_MAX_MB (json import, Telegram result.json): 413 INGESTION.IMPORT_JSON_TOO_LARGE', async () => {
      const messages = Array.from({ length: 8000 }, (_, i) => msg(`j-${i}`, { content: 'z'.repeat(150) }));
      const json = await upload(Buffer.from(JSON.stringify({ messages })), 'huge.json');
      problem(json, 413, 'INGESTION.IMPORT_JSON_TOO_LARGE');
      expect(json.body).toEqual(expect.objectContaining({ limit: 'IMPORT_JSON_MAX_MB', max: MB, size: expect.any(Number) }));
      const telegram = await upload(Buffer.from(JSON.stringify({ name: 'Chat', type: 'private_group', id: 1, messages })), 'result.json');
      problem(telegram, 413, 'INGESTION.IMPORT_JSON_TOO_LARGE');
      expect(await sourceId('huge')).toBeUndefined();
      await earlierStillThere();
    });
  });

  describe('imports running at once per workspace (IMPORT_MAX_CONCURRENT_PER_WORKSPACE=1)', () => {
    it('one more import is refused with 429 INGESTION.TOO_MANY_IMPORTS and Retry-After while one runs; other workspaces are not held back; the slot frees when it ends', async () => {
      let release!: () => void;
      const hold = new Promise<void>((r) => (release = r));
      const running = streamPost(`/api/v1/workspaces/${ws}/messages/import?sourceKind=api&sourceName=Slow`, 'application/x-ndjson', [line('slow-1')], hold);
      // The slow import has its job once its first line is in.
      await eventually(async () => (await externalIds('Slow')).length === 1 || (await sourceId('Slow')) !== undefined, 10_000, 20);

      const file = await upload(Buffer.from(line('busy-1')), 'busy.ndjson');
      problem(file, 429, 'INGESTION.TOO_MANY_IMPORTS');
      expect(file.headers['retry-after']).toBe('10');
      expect(file.body).toEqual(expect.objectContaining({ running: 1, max: 1 }));
      const streamed = await http().post(`/api/v1/workspaces/${ws}/messages/import?sourceKind=api&sourceName=Busy`).set(owner.auth).set('Content-Type', 'application/x-ndjson').send(line('busy-2'));
      problem(streamed, 429, 'INGESTION.TOO_MANY_IMPORTS');
      expect(streamed.headers['retry-after']).toBe('10');
      expect(await sourceId('busy')).toBeUndefined();

      const other = await createWorkspace(app, owner);
      const elsewhere = await upload(Buffer.from(line('other-1')), 'other.ndjson', {}, other).expect(202);
      expect(elsewhere.body.jobId).toEqual(expect.any(String));

      release();
      const done = await running;
      expect(done.status).toBe(202);
      expect(done.body).toEqual(expect.objectContaining({ accepted: 1 }));
      await eventually(async () => (await upload(Buffer.from(line('after-1')), 'after.ndjson')).status === 202, 10_000, 50);
      await earlierStillThere();
    });
  });
});
