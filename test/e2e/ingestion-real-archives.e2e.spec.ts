import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { eventually } from '@test/support/eventually';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';
import { zip } from '@test/support/zip-writer';

/**
 * Issue 12: real archives import whole. One mbox of normal messages with, each inside it, a NUL
 * byte, undecodable bytes in declared charsets, every date form real mail writes, a message over
 * the size an email may have and one the database itself refuses: every other message stored,
 * the bad ones reported by position, Message-ID and reason, the job completed; a re-import after
 * the fix stores just what was missing.
 */
describe('ingestion: real archives import whole (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let pool: Pool;
  let owner: SignedUp;
  let ws: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    testApp = await createTestApp({ env: { RUN_SUBSCRIPTIONS: 'false', IMPORT_EMAIL_MAX_MB: '1' } });
    ({ app, pool } = testApp);
    owner = await signUp(app);
    ws = await createWorkspace(app, owner);
  });
  afterAll(() => testApp?.close());

  const upload = (file: Buffer, name: string) => http().post(`/api/v1/workspaces/${ws}/imports`).set(owner.auth).attach('file', file, name).expect(202);
  const finished = (jobId: string) =>
    eventually(async () => {
      const res = await http().get(`/api/v1/workspaces/${ws}/jobs/${jobId}`).set(owner.auth).expect(200);
      return res.body.status === 'running' ? false : res.body;
    }, 30_000, 50);
  const messagesOf = async (sourceName: string) => {
    const sources = await http().get(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).expect(200);
    const source = sources.body.items.find((s: { name: string }) => s.name === sourceName);
    const res = await http().get(`/api/v1/workspaces/${ws}/messages`).query({ source: source.id, limit: 500 }).set(owner.auth).expect(200);
    return new Map<string, any>(res.body.items.map((m: { externalId: string }) => [m.externalId, m]));
  };

  /** One mbox message; `headers` replace the default Date header when they name one. */
  const mail = (id: string, body: Buffer | string, headers: string[] = ['Date: Tue, 3 Mar 2026 10:00:00 +0000'], postmark = 'Tue Mar  3 10:00:00 2026') =>
    Buffer.concat([
      Buffer.from(`From sender@example.org ${postmark}\nMessage-ID: <${id}>\nFrom: Dana Kim <dana@example.org>\nTo: team@example.org\nSubject: about ${id}\n${headers.join('\n')}\n${headers.some((h) => /^content-type/i.test(h)) ? '' : 'Content-Type: text/plain; charset=utf-8\n'}\n`),
      Buffer.isBuffer(body) ? body : Buffer.from(body),
      Buffer.from('\n\n'),
    ]);

  const DATE_FORMS: [id: string, header: string, sentAt: string][] = [
    ['year-0102@x', 'Date: Wed, 02 Oct 0102 08:00:00 -0700', '2002-10-02T15:00:00.000Z'],
    ['zone-plus-minus@x', 'Date: Sat, 14 Sep 2002 02:29:32 +-0500', '2002-09-14T07:29:32.000Z'],
    ['zone-named-long@x', 'Date: Mon, 16 Sep 2002 10:00:00 Eastern Daylight Time', '2002-09-16T14:00:00.000Z'],
    ['other-order@x', 'Date: 2002/09/14 Sat 02:29:32 CDT', '2002-09-14T07:29:32.000Z'],
    ['two-digit-year@x', 'Date: 5 Aug 02 11:42:07 GMT', '2002-08-05T11:42:07.000Z'],
    ['zone-no-sign@x', 'Date: Fri, 02 Aug 2002 23:37:59 0530', '2002-08-02T18:07:59.000Z'],
  ];

  it('stores every other message of an mbox with a NUL byte, undecodable bytes, odd dates, an oversized and a refused message; reports the bad ones; completes; a re-import after the fix stores just what was missing', async () => {
    const oversized = mail('too-big@x', `${'a line of a very long attachment-like body\n'.repeat(30_000)}`);
    expect(oversized.length).toBeGreaterThan(1024 * 1024);
    const mbox = Buffer.concat([
      mail('first@x', 'The first normal message.'),
      mail('nul-byte@x', Buffer.concat([Buffer.from('Hello'), Buffer.from([0]), Buffer.from(' world, the export finished.')]), ['Date: Tue, 3 Mar 2026 10:01:00 +0000', 'X-Note: a\u0000b']),
      mail('bad-utf8@x', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0xfe, 0x20, 0x6f, 0x6b]), ['Date: Tue, 3 Mar 2026 10:02:00 +0000', 'Content-Type: text/plain; charset=utf-8']),
      mail('unknown-charset@x', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]), ['Date: Tue, 3 Mar 2026 10:03:00 +0000', 'Content-Type: text/plain; charset=x-no-such-charset']),
      ...DATE_FORMS.map(([id, header]) => mail(id, `Sent with ${header}`, [header])),
      mail('received-only@x', 'No Date header at all.', ['Received: from mx.example.org by mail.example.org;\n\tThu, 5 Sep 2002 18:12:47 +0100 (IST)', 'Received: from earlier.example by mx.example.org; Thu, 5 Sep 2002 17:00:00 +0100']),
      mail('postmark-only@x', 'A Date header nobody can read.', ['Date: sometime last week'], 'Wed Sep  4 09:30:00 2002'),
      oversized,
      mail('refused@x', 'The database refuses this one (a trigger stands for any refusal cleaning cannot prevent).', ['Date: Tue, 3 Mar 2026 10:04:00 +0000']),
      mail('last@x', 'The last normal message.', ['Date: Tue, 3 Mar 2026 10:05:00 +0000']),
    ]);
    const total = 4 + DATE_FORMS.length + 5;

    // A refusal of the database for one message: real PostgreSQL raising the error a NUL would have raised.
    await pool.query(`
      CREATE OR REPLACE FUNCTION test_refuse_message() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.external_id = 'refused@x' THEN RAISE EXCEPTION 'unsupported Unicode escape sequence' USING ERRCODE = '22P05'; END IF;
        RETURN NEW;
      END $$`);
    await pool.query(`CREATE TRIGGER test_refuse_message BEFORE INSERT ON ingestion_messages_view FOR EACH ROW EXECUTE FUNCTION test_refuse_message()`);
    let job: any;
    try {
      job = await finished((await upload(mbox, 'Archive.mbox')).body.jobId);
    } finally {
      await pool.query(`DROP TRIGGER test_refuse_message ON ingestion_messages_view`);
    }

    expect(job.status).toBe('completed');
    expect(job.counters).toEqual(expect.objectContaining({ fetched: total, stored: total - 2, duplicates: 0, rejected: 2 }));
    const oversizedAt = 4 + DATE_FORMS.length + 2;
    expect(job.errors).toEqual([
      { index: oversizedAt, externalId: 'too-big@x', errors: [{ field: '', message: expect.stringMatching(/^message \d+ of the mbox is [\d.]+ MiB, more than the 1 MiB an email may have \(IMPORT_EMAIL_MAX_MB\)$/) }] },
      { index: oversizedAt + 1, externalId: 'refused@x', errors: [{ field: '', message: expect.stringMatching(/^the message holds characters the database cannot store/) }] },
    ]);

    const stored = await messagesOf('Archive');
    expect(stored.size).toBe(total - 2);
    expect(stored.has('too-big@x') || stored.has('refused@x')).toBe(false);
    expect(stored.get('nul-byte@x').content).toBe('Hello world, the export finished.');
    expect(stored.get('nul-byte@x').metadata.textCleaned).toBe(true);
    expect(stored.get('first@x').metadata.textCleaned).toBeUndefined();
    expect(stored.get('bad-utf8@x').content).toBe('caf\ufffd \ufffd\ufffd ok');
    expect(stored.get('unknown-charset@x').content).toMatch(/^caf. ok$/);
    for (const [id, , sentAt] of DATE_FORMS) expect([id, stored.get(id).sentAt, stored.get(id).metadata.sentAtSource]).toEqual([id, sentAt, 'date']);
    expect([stored.get('received-only@x').sentAt, stored.get('received-only@x').metadata.sentAtSource]).toEqual(['2002-09-05T17:12:47.000Z', 'received']);
    expect([stored.get('postmark-only@x').sentAt, stored.get('postmark-only@x').metadata.sentAtSource]).toEqual(['2002-09-04T09:30:00.000Z', 'postmark']);
    // Nothing of what PostgreSQL cannot store reached the log either.
    const nul = await pool.query(`SELECT count(*)::int AS n FROM events WHERE workspace_id = $1 AND strpos(payload::text, '\\u0000') > 0`, [ws]);
    expect(nul.rows[0].n).toBe(0);

    // The fix (here: the refusal gone), then the same file again: only the refused message is new.
    const again = await finished((await upload(mbox, 'Archive.mbox')).body.jobId);
    expect(again.status).toBe('completed');
    expect(again.counters).toEqual(expect.objectContaining({ fetched: total, stored: 1, duplicates: total - 2, rejected: 1 }));
    expect((await messagesOf('Archive')).has('refused@x')).toBe(true);
  });

  it('cleans NUL characters and lone surrogates out of JSON imports (content, names, metadata keys and values) instead of failing the batch', async () => {
    const body = {
      source: { kind: 'api', name: 'Dirty JSON' },
      messages: [
        { externalId: 'j-1', content: 'before\u0000after', sentAt: '2026-03-01T10:00:00Z', author: { name: 'Ana\u0000', externalId: 'U1' }, metadata: { 'key\u0000': 'v\ud800', list: ['\u0000x'] } },
        { externalId: 'j-2', content: 'a clean one', sentAt: '2026-03-01 10:01:00' },
        { externalId: 'j-3', content: 'lone \udc00 surrogate', sentAt: 'Sun, 1 Mar 2026 10:02:00 +0000', title: 'T\u0000' },
      ],
    };
    const res = await http().post(`/api/v1/workspaces/${ws}/messages/import`).set(owner.auth).send(body).expect(202);
    expect(res.body).toEqual(expect.objectContaining({ accepted: 3, rejected: [] }));
    const stored = await messagesOf('Dirty JSON');
    expect(stored.get('j-1')).toEqual(expect.objectContaining({ content: 'beforeafter', metadata: { key: 'v\ufffd', list: ['x'], textCleaned: true } }));
    expect(stored.get('j-1').author.name).toBe('Ana');
    expect(stored.get('j-2').sentAt).toBe('2026-03-01T10:01:00.000Z');
    expect(stored.get('j-3')).toEqual(expect.objectContaining({ content: 'lone \ufffd surrogate', title: 'T', sentAt: '2026-03-01T10:02:00.000Z' }));
  });

  it('writes batches while reading the next: repeats across batches (in reverse order) are duplicates, nothing deadlocks, the job records every batch in order', async () => {
    const msg = (i: number) => ({ externalId: `p-${i}`, content: `pipelined message ${i}`, sentAt: new Date(Date.UTC(2026, 2, 1) + i * 1000).toISOString() });
    const ids = [...Array.from({ length: 1000 }, (_, i) => i), ...Array.from({ length: 1000 }, (_, i) => 999 - i), ...Array.from({ length: 100 }, (_, i) => 1000 + i)];
    const body = ids.map((i) => JSON.stringify(msg(i))).join('\n');
    const res = await http().post(`/api/v1/workspaces/${ws}/messages/import`).query({ sourceKind: 'api', sourceName: 'Pipelined' }).set(owner.auth).set('Content-Type', 'application/x-ndjson').send(body).expect(202);
    expect(res.body).toEqual(expect.objectContaining({ accepted: 1100, duplicates: 1000, rejectedCount: 0 }));
    const job = await http().get(`/api/v1/workspaces/${ws}/jobs/${res.body.jobId}`).set(owner.auth).expect(200);
    expect(job.body).toEqual(expect.objectContaining({ status: 'completed', counters: expect.objectContaining({ fetched: 2100, stored: 1100, duplicates: 1000, batches: 3 }) }));
    const stored = await pool.query(`SELECT count(*)::int AS n, count(DISTINCT external_id)::int AS ids FROM ingestion_messages_view WHERE workspace_id = $1 AND external_id LIKE 'p-%'`, [ws]);
    expect(stored.rows[0]).toEqual({ n: 1100, ids: 1100 });
  });

  it('a damaged entry of an archive is rejected alone: the rest is stored and the job completes', async () => {
    const day = (ts: number, text: string) => JSON.stringify([{ type: 'message', user: 'U1', text, ts: `${ts}.000100` }]);
    const file = zip([
      { name: 'users.json', data: JSON.stringify([{ id: 'U1', name: 'dana', real_name: 'Dana Scully' }]) },
      { name: 'channels.json', data: JSON.stringify([{ id: 'C1', name: 'general' }]) },
      { name: 'general/2026-03-01.json', data: day(1772352000, 'The first day is imported') },
      { name: 'general/2026-03-02.json', data: day(1772438400, `The second day is damaged in the archive ${'and long enough to be deflated '.repeat(40)}`) },
      { name: 'general/2026-03-03.json', data: day(1772524800, 'The third day is imported too') },
    ]);
    // Damage the second day's compressed bytes: the archive's directory is fine, that entry's data is not.
    const header = file.indexOf(Buffer.from('general/2026-03-02.json')) - 30; // local headers come first, the central directory last
    expect(file.readUInt32LE(header)).toBe(0x04034b50);
    const dataAt = header + 30 + file.readUInt16LE(header + 26) + file.readUInt16LE(header + 28);
    file.fill(0xff, dataAt, dataAt + 8);
    const job = await finished((await upload(file, 'Damaged.zip')).body.jobId);
    expect(job.status).toBe('completed');
    expect(job.counters).toEqual(expect.objectContaining({ stored: 2, rejected: 1 }));
    expect(job.errors).toEqual([expect.objectContaining({ errors: [{ field: '', message: expect.stringMatching(/^general\/2026-03-02\.json could not be read: /) }] })]);
    expect([...(await messagesOf('Damaged')).keys()].sort()).toEqual(['C1:1772352000.000100', 'C1:1772524800.000100']);
  });

  it('fails a job only when the file itself cannot be read, saying how far it got and what to do', async () => {
    const truncated = Buffer.from(JSON.stringify({ name: 'Support', type: 'private_group', id: 42, messages: [{ id: 1, type: 'message', date: '2026-03-01T10:00:00', from: 'Ana', from_id: 'user1', text: 'hello' }] }).slice(0, -20));
    const job = await finished((await upload(truncated, 'result.json')).body.jobId);
    expect(job.status).toBe('failed');
    expect(job.errors.at(-1).errors[0].message).toMatch(/Stopped after 0 rows \(0 stored, 0 duplicates, 0 rejected\): what was stored stays, and importing the same file again stores only what is missing$/);
  });
});
