import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { OutboundGuard } from '@libs/common/net/outbound-guard';
import { mboxMessages } from '@modules/ingestion/application/import-files/email.reader';
import { ImapSyncRunner } from '@modules/ingestion/application/pull-sync/imap-sync.runner';
import { PullSource } from '@modules/ingestion/application/pull-sync/sync-runner';
import { Dovecot } from '@test/support/dovecot';
import { Bench, BenchBackend, BenchOptions, emit, log, openBackend, positiveInt, round, selectedBackends } from './harness';
import { arrivalLatencies, arrivalMail, syncRunnerDeps, timedBackfill } from './sync-bench-support';
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

function runnerFor(backend: BenchBackend, guard: OutboundGuard) {
  const deps = syncRunnerDeps(backend);
  return { runner: new ImapSyncRunner({ ...deps, http: { guard } }), aggregates: deps.aggregates, credentials: deps.credentials };
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
          const { summary: backfill, figures } = await timedBackfill(() => runner.run(source, { meta: meta() }));
          emit({
            bench: 'imap-sync',
            case: `backfill-${written}`,
            backend: kind,
            value: figures.value,
            unit: 'messages/s',
            ...figures,
            messages: backfill.fetched,
            stored: backfill.stored,
            duplicates: backfill.skipped,
            rejected: backfill.rejected,
            mailbox_mb: round(stats.bytes / 1024 / 1024, 1),
            smoke,
          });

          const latency = await arrivalLatencies(arrivals, async (i) => {
            const id = `arrival-${i}-${uuidv7()}@bench.example`;
            await dovecot.append(USER, arrivalsFolder, [arrivalMail(i, id, String(i))]);
            const r = await runner.run(source, { meta: meta() });
            const found = await backend.pool.query(`SELECT 1 FROM ingestion_messages_view WHERE source_id = $1 AND external_id = $2`, [sourceId, id]);
            if (r.status !== 'completed' || found.rowCount !== 1) throw new Error(`arrival ${i} was not stored: ${r.error}`);
          });
          emit({
            bench: 'imap-sync',
            case: 'arrival-to-stored',
            backend: kind,
            value: latency.value,
            unit: 'ms (p95)',
            ...latency,
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
