import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { AddressInfo } from 'node:net';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { createApp } from '@app/bootstrap';
import { loadAppConfig } from '@app/config/app-config';
import { DatabaseBackendKind, PG_POOL } from '@libs/database/database-backend';
import { Bench, BenchOptions, emit, eventsPerCase, log, openBackend, percentile, round, runWorkers, selectedBackends } from './harness';

/**
 * Slack webhook intake through the real HTTP app (createApp, listening on a free port): signed
 * Events API message deliveries at concurrency 32, each verified (HMAC on the raw body, 5-minute
 * window), mapped and stored (one new message stream + read model row per request), then the same
 * deliveries retried (X-Slack-Retry-Num: answered from the delivery record, nothing stored).
 * Requests and signatures are prepared before the clock starts, so the numbers are the server's
 * (the client shares the process, as little as possible). Background consumers (noise scoring)
 * run as they do in production.
 */

const CONCURRENCY = 32;
const SECRET = 'bench-slack-signing-secret-0123456789';

interface Target {
  app: NestExpressApplication;
  port: number;
  close(): Promise<void>;
}

async function startApp(kind: DatabaseBackendKind): Promise<Target> {
  // Logs are produced as in production (JSON lines) but go nowhere.
  const logStream = { write: () => undefined };
  const env = { LOG_LEVEL: 'info', RUN_JOBS: 'false', AUTH_RATE_LIMIT_PER_MINUTE: '100000', DATA_DIR: 'memory://', PORT: '0' };
  if (kind === 'embedded') {
    const app = await createApp(loadAppConfig(env), { logStream });
    await app.listen(0, '127.0.0.1');
    return { app, port: (app.getHttpServer().address() as AddressInfo).port, close: () => app.close() };
  }
  // A fresh, migrated database on the server (dropped at the end), served by the app's own pool.
  const backend = await openBackend('pg');
  const url = (backend.pool as unknown as { options: { connectionString: string } }).options.connectionString;
  try {
    const app = await createApp(loadAppConfig({ ...env, DATABASE_URL: url }), { logStream });
    await app.listen(0, '127.0.0.1');
    return {
      app,
      port: (app.getHttpServer().address() as AddressInfo).port,
      close: async () => {
        try {
          await app.close();
        } finally {
          await backend.close();
        }
      },
    };
  } catch (err) {
    await backend.close();
    throw err;
  }
}

interface Reply {
  status: number;
  body: string;
}

function send(agent: Agent, port: number, method: string, path: string, body: string | null, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: { ...headers, ...(body !== null ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

async function json(agent: Agent, port: number, method: string, path: string, body: unknown, headers: Record<string, string> = {}, expect = 201): Promise<any> {
  const r = await send(agent, port, method, path, body === undefined ? null : JSON.stringify(body), headers);
  if (r.status !== expect) throw new Error(`${method} ${path}: ${r.status} ${r.body.slice(0, 300)}`);
  return JSON.parse(r.body);
}

/** A Slack Events API message delivery (the documented envelope), signed now. */
function slackDelivery(channel: string, unit: number, phase: string): { body: string; headers: Record<string, string> } {
  const ts = `${1772445600 + unit}.${String(unit % 1_000_000).padStart(6, '0')}`;
  const body = JSON.stringify({
    token: 'XXYYZZ',
    team_id: 'T0BENCH01',
    api_app_id: 'A0BENCH01',
    event: {
      type: 'message',
      user: `U0BENCH${unit % 50}`,
      text: `Bench ${phase} ${unit}: customers keep asking for SSO with Okta before they renew`,
      ts,
      team: 'T0BENCH01',
      channel,
      event_ts: ts,
      channel_type: 'channel',
    },
    type: 'event_callback',
    event_id: `Ev0${phase}${unit}`,
    event_time: 1772445600 + unit,
    authorizations: [{ enterprise_id: null, team_id: 'T0BENCH01', user_id: 'U0BOT', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  });
  return { body, headers: signed(body) };
}

/** Slack's signature headers for a body, stamped now (the intake refuses stamps older than 5 minutes). */
function signed(body: string): Record<string, string> {
  const stamp = String(Math.floor(Date.now() / 1000));
  return { 'x-slack-request-timestamp': stamp, 'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${stamp}:`).update(body).digest('hex')}` };
}

async function cases(kind: DatabaseBackendKind, smoke: boolean): Promise<void> {
  const requests = process.env.BENCH_EVENTS ? eventsPerCase(smoke) : smoke ? 200 : 5_000;
  const warmup = smoke ? 20 : 200;
  log(`${kind}: starting the app`);
  const target = await startApp(kind);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const { port } = target;
    const signup = await json(agent, port, 'POST', '/api/v1/auth/signup', { email: `bench-${Date.now()}@example.com`, password: 'correct horse battery staple', firstName: 'Bench', lastName: 'Mark' });
    const auth = { authorization: `Bearer ${signup.accessToken}` };
    const ws = (await json(agent, port, 'POST', '/api/v1/workspaces', { name: 'Bench' }, auth)).id;
    const source = (await json(agent, port, 'POST', `/api/v1/workspaces/${ws}/sources`, { kind: 'slack', name: 'Bench Slack', credentials: { signingSecret: SECRET } }, auth)).id;
    const path = `/api/v1/webhooks/slack/${source}`;

    const run = async (name: string, deliveries: { body: string; headers: Record<string, string> }[], expectStored: number) => {
      let errors = 0;
      let stored = 0;
      const out = await runWorkers(CONCURRENCY, deliveries.length, async (unit) => {
        const d = deliveries[unit];
        const r = await send(agent, port, 'POST', path, d.body, d.headers);
        if (r.status !== 200) errors++;
        else stored += JSON.parse(r.body).stored;
      });
      if (errors || stored !== expectStored) log(`${kind} ${name}: ${errors} errors, ${stored} stored (expected ${expectStored})`);
      return { ...out, errors, stored };
    };

    const warm = Array.from({ length: warmup }, (_, i) => slackDelivery('C0WARMUP', i, 'W'));
    await run('warmup', warm, warmup);

    const fresh = Array.from({ length: requests }, (_, i) => slackDelivery('C0MEASURE', i, 'M'));
    const intake = await run('intake', fresh, requests);
    const count = await target.app.get<Pool>(PG_POOL).query(`SELECT count(*)::int AS n FROM ingestion_messages_view WHERE source_id = $1`, [source]);
    emit({
      bench: 'webhooks',
      case: 'slack-intake-c32',
      backend: kind,
      value: round(requests / intake.seconds, 1),
      unit: 'requests/s',
      p50_ms: round(percentile(intake.latenciesMs, 50), 2),
      p95_ms: round(percentile(intake.latenciesMs, 95), 2),
      max_ms: round(intake.latenciesMs[intake.latenciesMs.length - 1], 2),
      requests,
      concurrency: CONCURRENCY,
      errors: intake.errors,
      stored: intake.stored,
      messages_in_db: count.rows[0].n - warmup,
      smoke,
    });

    // Slack retries with the same event_id (X-Slack-Retry-Num): answered from the delivery record.
    const retries = fresh.map((d) => ({ body: d.body, headers: { ...signed(d.body), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } }));
    const redelivery = await run('redelivery', retries, 0);
    emit({
      bench: 'webhooks',
      case: 'slack-redelivery-c32',
      backend: kind,
      value: round(requests / redelivery.seconds, 1),
      unit: 'requests/s',
      p50_ms: round(percentile(redelivery.latenciesMs, 50), 2),
      p95_ms: round(percentile(redelivery.latenciesMs, 95), 2),
      max_ms: round(redelivery.latenciesMs[redelivery.latenciesMs.length - 1], 2),
      requests,
      concurrency: CONCURRENCY,
      errors: redelivery.errors,
      stored: redelivery.stored,
      smoke,
    });
  } finally {
    agent.destroy();
    await target.close();
  }
}

export const webhooksBench: Bench = {
  name: 'webhooks',
  async run({ smoke }: BenchOptions) {
    for (const kind of selectedBackends()) await cases(kind, smoke);
  },
};
