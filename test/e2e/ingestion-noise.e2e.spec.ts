import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { MessageWriter } from '@modules/ingestion/infrastructure/message-writer';
import { eventually } from '@test/support/eventually';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const BUG_REPORT =
  'When I click "Export to CSV" on the Reports page the app crashes with a 500 error. Steps: open any report, pick the last 30 days, click export. ' +
  "Expected a file download; got a blank page. It started after yesterday's release and blocks our finance team. Can you look into it?";

interface ListedMessage {
  id: string;
  externalId: string;
  processingState: string;
  noiseClassification: string | null;
  noiseFactors: Record<string, number> | null;
  importanceScore: number | null;
}

describe('ingestion: noise scoring of imported messages (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let owner: SignedUp;
  let ws: string;
  let pool: Pool;
  const http = () => request(app.getHttpServer());
  const dana = { name: 'Dana Scully', email: 'dana@fbi.example', externalId: 'U1' };
  const msg = (externalId: string, content: string, extra: Record<string, unknown> = {}) => ({ externalId, content, sentAt: '2026-03-01T10:00:00Z', author: dana, channel: 'support', ...extra });

  beforeAll(async () => {
    testApp = await createTestApp();
    ({ app, pool } = testApp);
    owner = await signUp(app);
    ws = await createWorkspace(app, owner);
  });
  afterAll(() => testApp?.close());

  const listAll = async (sourceName: string): Promise<ListedMessage[]> => {
    const source = (await http().get(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).expect(200)).body.items.find((s: { name: string }) => s.name === sourceName);
    const res = await http().get(`/api/v1/workspaces/${ws}/messages`).query({ source: source.id, limit: 500 }).set(owner.auth).expect(200);
    return res.body.items;
  };
  const classifiedEvents = async () =>
    (await pool.query(`SELECT count(*)::int AS n FROM events WHERE workspace_id = $1 AND event_type = 'ingestion.message-classified'`, [ws])).rows[0].n as number;

  it('classifies every imported message: greetings and bots are noise, a bug report is signal, a repeat is flagged', async () => {
    const messages = [
      msg('greeting', 'Hi team! Thanks 👋'),
      msg('bug', BUG_REPORT),
      msg('bot', 'Deployed v2.3.1 to production, all checks green', { author: { name: 'Deploy Bot', externalId: 'B1' }, metadata: { subtype: 'bot_message', bot_id: 'B1' } }),
      msg('request', 'Is there a way to export all conversations to CSV? We need it for our quarterly review with the board.', { sentAt: '2026-03-01T11:00:00Z' }),
      // The same words again from the same author an hour later: a duplicate.
      msg('request-again', 'is there a way to export all conversations to csv?? we need it for our quarterly review with the board', { sentAt: '2026-03-01T12:00:00Z' }),
      // ...but not from someone else.
      msg('request-other', 'Is there a way to export all conversations to CSV? We need it for our quarterly review with the board.', { author: { name: 'Fox Mulder', externalId: 'U2' } }),
      msg('spam', '🔥 FREE crypto giveaway!!! Click here to claim your prize: https://bit.ly/xyz', { author: { name: 'Lucky', externalId: 'U9' } }),
      msg('french', 'Bonjour, je voudrais savoir comment exporter mes données. Merci.'),
      msg('link', 'https://github.com/acme/app/pull/42'),
    ];
    const imported = await http().post(`/api/v1/workspaces/${ws}/messages/import`).set(owner.auth).send({ source: { kind: 'api', name: 'Noise' }, messages }).expect(202);
    expect(imported.body.accepted).toBe(messages.length);

    const items = await eventually(async () => {
      const list = await listAll('Noise');
      expect(list).toHaveLength(messages.length);
      for (const m of list) expect(m.noiseClassification).not.toBeNull();
      return list;
    }, 20_000);
    const by = new Map(items.map((m) => [m.externalId, m]));
    for (const m of items) {
      expect(m).toEqual(expect.objectContaining({ processingState: 'processed', importanceScore: expect.any(Number) }));
      expect(m.importanceScore).toBeGreaterThanOrEqual(0);
      expect(m.importanceScore).toBeLessThanOrEqual(1);
      expect(Object.keys(m.noiseFactors!).sort()).toEqual(
        ['botAuthor', 'duplicate', 'emojiOnly', 'greetingOrThanksOnly', 'language', 'length', 'linksOnly', 'problem', 'question', 'request', 'shouting', 'spam'].sort(),
      );
    }
    expect(by.get('greeting')).toEqual(expect.objectContaining({ noiseClassification: 'noise', noiseFactors: expect.objectContaining({ greetingOrThanksOnly: 1 }) }));
    expect(['signal', 'high_quality']).toContain(by.get('bug')!.noiseClassification);
    expect(by.get('bug')!.noiseFactors).toEqual(expect.objectContaining({ problem: 1, duplicate: 0 }));
    expect(by.get('bug')!.importanceScore).toBeGreaterThan(by.get('greeting')!.importanceScore!);
    expect(by.get('bot')).toEqual(expect.objectContaining({ noiseClassification: 'noise', noiseFactors: expect.objectContaining({ botAuthor: 1 }) }));
    expect(by.get('request')!.noiseFactors!.duplicate).toBe(0);
    expect(by.get('request-again')).toEqual(expect.objectContaining({ noiseClassification: 'noise', noiseFactors: expect.objectContaining({ duplicate: 1 }) }));
    expect(by.get('request-other')!.noiseFactors!.duplicate).toBe(0);
    expect(by.get('spam')!.noiseClassification).toBe('spam');
    expect(by.get('french')!.noiseFactors!.language).toBe(0);
    expect(by.get('link')!.noiseClassification).toBe('noise');

    const one = await http().get(`/api/v1/workspaces/${ws}/messages/${by.get('bug')!.id}`).set(owner.auth).expect(200);
    expect(one.body).toEqual(expect.objectContaining({ noiseClassification: by.get('bug')!.noiseClassification, importanceScore: by.get('bug')!.importanceScore }));
    // One classification per message, on its own stream, caused by the ingested event.
    const events = await pool.query(
      `SELECT c.stream_id, c.causation_id, i.event_id::text AS ingested_id
         FROM events c JOIN events i ON i.stream_id = c.stream_id AND i.event_type = 'ingestion.message-ingested'
        WHERE c.workspace_id = $1 AND c.event_type = 'ingestion.message-classified'`,
      [ws],
    );
    expect(events.rows).toHaveLength(messages.length);
    for (const r of events.rows) expect(r.causation_id).toBe(r.ingested_id);
  });

  it('scores an edit again, and a redelivery (checkpoint moved back) appends nothing twice', async () => {
    const before = await classifiedEvents();
    const source = (await http().get(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).expect(200)).body.items.find((s: { name: string }) => s.name === 'Noise');
    const edited = await app.get(MessageWriter).change({ id: source.id, kind: 'api', workspaceId: ws }, 'greeting', 'ingestion.message-edited', { content: BUG_REPORT.replace('Reports', 'Billing'), editedAt: new Date().toISOString() }, { importJobId: null, actorId: null, correlationId: null });
    expect(edited).toBe(true);
    await eventually(async () => {
      const greeting = (await listAll('Noise')).find((m) => m.externalId === 'greeting')!;
      expect(['signal', 'high_quality']).toContain(greeting.noiseClassification);
    }, 20_000);
    expect(await classifiedEvents()).toBe(before + 1);

    // Redelivery: every scored event comes again; their classifications are already in the log.
    await pool.query(`UPDATE subscription_checkpoints SET last_tx = '0', last_pos = 0 WHERE name = 'ingestion.noise-scoring'`);
    await eventually(async () => {
      const r = await pool.query(`SELECT events_processed, last_pos FROM subscription_checkpoints WHERE name = 'ingestion.noise-scoring'`);
      const head = await pool.query(`SELECT max(global_position) AS p FROM events WHERE event_type IN ('ingestion.message-ingested', 'ingestion.message-edited')`);
      expect(Number(r.rows[0].last_pos)).toBeGreaterThanOrEqual(Number(head.rows[0].p));
    }, 20_000);
    expect(await classifiedEvents()).toBe(before + 1);
  });
  // Only PostgreSQL has concurrent transactions (the embedded backend runs one at a time).
  (process.env.TEST_DATABASE_URL ? it : it.skip)('a deletion while a scoring batch holds the message waits for it instead of deadlocking', async () => {
    const source = (await http().get(`/api/v1/workspaces/${ws}/sources`).set(owner.auth).expect(200)).body.items.find((s: { name: string }) => s.name === 'Noise');
    const messageId = app.get(MessageWriter).messageIdOf(source.id, 'link');
    const scoring = await pool.connect();
    try {
      // What the noise-scoring consumer does in its batch: lock the read-model row, then append to the stream.
      await scoring.query('BEGIN');
      await scoring.query('SELECT 1 FROM ingestion_messages_view WHERE id = $1 FOR UPDATE', [messageId]);
      const deletion = app.get(MessageWriter).change({ id: source.id, kind: 'api', workspaceId: ws }, 'link', 'ingestion.message-deleted', { deletedAt: new Date().toISOString() }, { importJobId: null, actorId: null, correlationId: null });
      await new Promise((r) => setTimeout(r, 300)); // the deletion is now waiting on one of the two locks
      await scoring.query(`UPDATE event_streams SET updated_at = now() WHERE stream_id = $1`, [`message-${messageId}`]);
      await scoring.query('COMMIT');
      await expect(deletion).resolves.toBe(true);
    } finally {
      scoring.release();
    }
    expect((await listAll('Noise')).map((m) => m.externalId)).not.toContain('link');
  });
});
