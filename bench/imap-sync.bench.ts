import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { v7 as uuidv7 } from 'uuid';
import { loadAppConfig } from '@app/config/app-config';
import { EncryptedColumns } from '@libs/common/crypto/encrypted-columns';
import { SecretBox } from '@libs/common/crypto/secret-box';
import { OutboundGuard } from '@libs/common/net/outbound-guard';
import { EventTypeRegistry } from '@libs/event-store/event-type-registry';
import { PersonalDataCipher } from '@libs/event-store/personal-data-cipher';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { SnapshotStore } from '@libs/eventsourcing/snapshot-store';
import { mboxMessages } from '@modules/ingestion/application/import-files/email.reader';
import { ImapSyncRunner } from '@modules/ingestion/application/pull-sync/imap-sync.runner';
import { PullSource } from '@modules/ingestion/application/pull-sync/sync-runner';
import { sourceContactPersonalData } from '@modules/ingestion/domain/conversation.events';
import { messagePersonalData } from '@modules/ingestion/domain/message/message.events';
import { IngestionAggregates } from '@modules/ingestion/infrastructure/ingestion-aggregates';
import { MessageWriter } from '@modules/ingestion/infrastructure/message-writer';
import { SourceCredentials } from '@modules/ingestion/infrastructure/source-credentials';
import { JobsProjection } from '@modules/ingestion/projections/jobs.projection';
import { MessagesProjection } from '@modules/ingestion/projections/messages.projection';
import { SourcesProjection } from '@modules/ingestion/projections/sources.projection';
import { Dovecot } from '@test/support/dovecot';
import { Bench, BenchBackend, BenchOptions, emit, log, openBackend, positiveInt, round, selectedBackends } from './harness';
import { writeMailCorpus } from './mail-corpus';

/**
 * The IMAP sync figure (issue 18): a mailbox of generated, realistic mail (bench/mail-corpus.ts:
 * MIME, charsets, attachments, threads) in a local Dovecot (the test helper's private instance,
 * STARTTLS with its self-signed certificate), synced by the ImapSyncRunner into a fresh database:
 * messages/s of the backfill, then the time from a new message arriving (IMAP APPEND) to it
 * being in the messages view after the next sync, per message (p50/p95; the schedule's interval
 * comes on top of it). Runner built from plain classes, as a stand-alone sync process would.
 *
 * env: BENCH_IMAP_MESSAGES (default 20000; smoke 300), BENCH_IMAP_ARRIVALS (default 20; smoke 3).
 */

const USER = 'bench';
const PASSWORD = 'bench-imap-password';
const elapsedS = (t0: number) => (performance.now() - t0) / 1000;

function runnerFor(backend: BenchBackend, guard: OutboundGuard) {
  const box = new SecretBox([SecretBox.generateKey('bench')]);
  const registry = new EventTypeRegistry();
  for (const [type, spec] of Object.entries({ ...messagePersonalData, ...sourceContactPersonalData })) registry.personalData(type, spec);
  const projections = new ProjectionRegistry();
  projections.register(new SourcesProjection(), new MessagesProjection(), new JobsProjection());
  const store = new PostgresEventStore(backend.pool, { registry, namedStatements: backend.namedStatements, personalData: new PersonalDataCipher(box) });
  const aggregates = new IngestionAggregates(new EventSourcedCommandHandler(store, { pool: backend.pool, registry: projections }), new SnapshotStore(backend.pool));
  // Dovecot listens on loopback: allowed here as the tests allow it.
  const credentials = new SourceCredentials(box, new EncryptedColumns(), loadAppConfig({ NODE_ENV: 'test', CONNECTOR_ALLOWED_HOSTS: '127.0.0.1' }));
  const runner = new ImapSyncRunner({ pool: backend.pool, writer: new MessageWriter(backend.pool, store), aggregates, credentials, http: { guard } });
  return { runner, aggregates, credentials };
}

async function percentile(values: number[], p: number): Promise<number> {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const imapSyncBench: Bench = {
  name: 'imap-sync',
  async run({ smoke }: BenchOptions) {
    const messages = positiveInt('BENCH_IMAP_MESSAGES', smoke ? 300 : 20_000);
    const arrivals = positiveInt('BENCH_IMAP_ARRIVALS', smoke ? 3 : 20);
    const dir = mkdtempSync(join(tmpdir(), 'bench-imap-'));
    const dovecot = new Dovecot({ users: { [USER]: PASSWORD } });
    const guard = new OutboundGuard({ allowList: '127.0.0.1' });
    try {
      await dovecot.start();
      const mbox = join(dir, 'corpus.mbox');
      const stats = writeMailCorpus(mbox, messages);
      let written = 0;
      let chunk: Buffer[] = [];
      for await (const m of mboxMessages(createReadStream(mbox, { highWaterMark: 1 << 20 }))) {
        if (!m.source) continue;
        chunk.push(m.source);
        if (chunk.length === 1000) {
          dovecot.fillMaildir(USER, 'INBOX', chunk);
          written += chunk.length;
          chunk = [];
        }
      }
      dovecot.fillMaildir(USER, 'INBOX', chunk);
      written += chunk.length;
      log(`imap-sync: ${written} messages (${round(stats.bytes / 1024 / 1024, 1)} MB) in the Dovecot maildir`);

      for (const kind of selectedBackends()) {
        const backend = await openBackend(kind);
        try {
          const { runner, aggregates, credentials } = runnerFor(backend, guard);
          const workspaceId = uuidv7();
          const sourceId = uuidv7();
          const meta = () => ({ commandId: uuidv7(), workspaceId, actorId: null, correlationId: uuidv7(), now: new Date() });
          const creds = credentials.validate('imap', dovecot.credentials(USER));
          await aggregates.source.handle(sourceId, { kind: 'connect', sourceId, workspaceId, sourceKind: 'imap', name: `imap bench ${kind}`, config: { folders: ['INBOX', `Arrivals-${kind}`] }, credentialsCiphertext: credentials.seal(sourceId, creds), externalId: null, now: new Date() }, meta());
          // Each backend's arrivals in a folder of its own: every backfill reads the same mailbox.
          const arrivalsFolder = `Arrivals-${kind}`;
          await dovecot.append(USER, arrivalsFolder, []);
          const config = { folders: ['INBOX', arrivalsFolder] };
          const source: PullSource = { id: sourceId, workspaceId, kind: 'imap', credentialsCiphertext: credentials.seal(sourceId, creds), config };

          log(`imap-sync ${kind}: backfill of ${written} messages`);
          const load = loadavg()[0];
          const cpu0 = process.cpuUsage();
          const t0 = performance.now();
          const backfill = await runner.run(source, { meta: meta() });
          const seconds = elapsedS(t0);
          const cpu = process.cpuUsage(cpu0);
          if (backfill.status !== 'completed') throw new Error(`the backfill failed: ${backfill.error}`);
          emit({
            bench: 'imap-sync',
            case: `backfill-${written}`,
            backend: kind,
            value: round(backfill.fetched / seconds, 1),
            unit: 'messages/s',
            messages: backfill.fetched,
            stored: backfill.stored,
            duplicates: backfill.skipped,
            rejected: backfill.rejected,
            seconds: round(seconds, 2),
            cpu_s: round((cpu.user + cpu.system) / 1e6, 2),
            mailbox_mb: round(stats.bytes / 1024 / 1024, 1),
            load_avg_1m: round(load, 2),
            smoke,
          });

          const latencies: number[] = [];
          for (let i = 0; i < arrivals; i++) {
            const id = `arrival-${i}-${uuidv7()}@bench.example`;
            const raw = `From: Dana <dana@customer.example>\r\nTo: support@bench.example\r\nSubject: New question ${i}\r\nMessage-ID: <${id}>\r\nDate: ${new Date().toUTCString()}\r\n\r\nThe export to CSV fails again, case ${i}.\r\n`;
            const a0 = performance.now();
            await dovecot.append(USER, arrivalsFolder, [raw]);
            const r = await runner.run(source, { meta: meta() });
            const found = await backend.pool.query(`SELECT 1 FROM ingestion_messages_view WHERE source_id = $1 AND external_id = $2`, [sourceId, id]);
            if (r.status !== 'completed' || found.rowCount !== 1) throw new Error(`arrival ${i} was not stored: ${r.error}`);
            latencies.push(performance.now() - a0);
          }
          emit({
            bench: 'imap-sync',
            case: 'arrival-to-stored',
            backend: kind,
            value: round(await percentile(latencies, 95), 1),
            unit: 'ms (p95)',
            p50_ms: round(await percentile(latencies, 50), 1),
            max_ms: round(Math.max(...latencies), 1),
            arrivals,
            mailbox_messages: written + arrivals,
            note: 'IMAP APPEND, one sync run (connect, STARTTLS, login, UID search above the watermark, fetch, store), the row in the messages view; the schedule interval comes on top',
            smoke,
          });
        } finally {
          await backend.close();
        }
      }
    } finally {
      await guard.close();
      await dovecot.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
