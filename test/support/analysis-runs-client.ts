import { v7 as uuidv7 } from 'uuid';
import { eventually } from '@test/support/eventually';
import { SignedUp } from '@test/support/identity-client';
import { TestApp } from '@test/support/test-app';

/** What the analysis run e2e tests share: import messages of a day, start a run, wait for a status. */
export interface ChatLine {
  text: string;
  author?: { name: string; email?: string; externalId?: string };
  threadId?: string;
  channel?: string;
  /** Minutes after the start of the day. */
  at?: number;
}

export const dayStart = (day: number) => new Date(Date.UTC(2026, 2, day, 9, 0, 0));

export function analysisClient(t: TestApp, ws: () => string, owner: () => SignedUp) {
  const base = () => `/api/v1/workspaces/${ws()}/analysis`;
  return {
    base,
    async importDay(day: number, lines: ChatLine[], source = 'team-chat') {
      const start = dayStart(day).getTime();
      const messages = lines.map((l, i) => ({
        externalId: `d${day}-${i}-${uuidv7().slice(-8)}`,
        content: l.text,
        sentAt: new Date(start + (l.at ?? i) * 60_000).toISOString(),
        author: l.author ?? { name: 'Bob Mitchell', email: 'bob@acme.example', externalId: 'bob' },
        threadId: l.threadId,
        channel: l.channel ?? 'general',
      }));
      const res = await t.http().post(`/api/v1/workspaces/${ws()}/messages/import`).set(owner().auth).send({ source: { kind: 'api', name: source }, messages }).expect(202);
      return res.body;
    },
    /** Waits until ingestion's noise scoring classified every message of the days (the prefilter reads it). */
    async classified(day: number, days = 1) {
      const from = dayStart(day).toISOString().slice(0, 10) + 'T00:00:00Z';
      const to = new Date(Date.UTC(2026, 2, day + days)).toISOString();
      await eventually(async () => {
        const r = await t.pool.query(`SELECT count(*) FILTER (WHERE noise_classification IS NULL)::int AS n FROM ingestion_messages_view WHERE workspace_id = $1 AND sent_at >= $2 AND sent_at < $3`, [ws(), from, to]);
        expect(r.rows[0].n).toBe(0);
      }, 30_000, 50);
    },
    window: (day: number, days = 1) => ({ windowStart: dayStart(day).toISOString().slice(0, 10) + 'T00:00:00Z', windowEnd: new Date(Date.UTC(2026, 2, day + days)).toISOString() }),
    async start(body: Record<string, unknown>) {
      return (await t.http().post(`${base()}/runs`).set(owner().auth).send(body).expect(202)).body;
    },
    async get(runId: string) {
      return (await t.http().get(`${base()}/runs/${runId}`).set(owner().auth).expect(200)).body;
    },
    async until(runId: string, status: string | string[], timeoutMs = 60_000) {
      const wanted = Array.isArray(status) ? status : [status];
      return eventually(async () => {
        const run = (await t.http().get(`${base()}/runs/${runId}`).set(owner().auth).expect(200)).body;
        expect(wanted).toContain(run.status);
        return run;
      }, timeoutMs, 50);
    },
    async proposals(query: Record<string, string>) {
      return (await t.http().get(`${base()}/proposals`).query({ limit: '500', ...query }).set(owner().auth).expect(200)).body.items;
    },
    async runEventTypes(runId: string) {
      const r = await t.pool.query(`SELECT event_type FROM events WHERE stream_id = $1 ORDER BY stream_version`, [`analysis-run-${runId}`]);
      return r.rows.map((row: { event_type: string }) => row.event_type);
    },
  };
}
