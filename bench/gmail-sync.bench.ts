import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { OutboundGuard } from '@libs/common/net/outbound-guard';
import { OAuthAccess, OAuthAccessTokens } from '@modules/identity/contracts';
import { mboxMessages } from '@modules/ingestion/application/import-files/email.reader';
import { GmailSyncRunner } from '@modules/ingestion/application/pull-sync/gmail-sync.runner';
import { PullSource } from '@modules/ingestion/application/pull-sync/sync-runner';
import { FakeGmail } from '@test/support/fakes/gmail.fake';
import { Bench, BenchBackend, BenchOptions, emit, log, openBackend, positiveInt, round, selectedBackends } from './harness';
import { arrivalLatencies, arrivalMail, syncRunnerDeps, timedBackfill } from './sync-bench-support';
import { writeMailCorpus } from './mail-corpus';

/**
 * The Gmail sync figure (issue 18): a mailbox of generated, realistic mail (bench/mail-corpus.ts)
 * served by the test's fake Gmail API on 127.0.0.1 (the same process: its serving costs CPU of
 * the 2 shared cores too), synced by the GmailSyncRunner into a fresh database: messages/s of the
 * backfill (messages.list pages of 500, each message fetched raw, 8 in flight, parsed by the
 * import's email reader, stored), then the time from a new message arriving in the fake to it
 * being found by the messages search (full text) after the next sync run (history.list from the
 * watermark, one fetch, store), per message (p50/p95; the schedule's interval comes on top).
 *
 * env: BENCH_GMAIL_MESSAGES (default 20000; smoke 200), BENCH_GMAIL_ARRIVALS (default 20; smoke 3).
 */

const TOKEN = 'ya29.bench-gmail-token';

/** The linked account's token, as identity would hand it (no refresh in the bench). */
class FixedTokens extends OAuthAccessTokens {
  private readonly access: OAuthAccess = { accountId: uuidv7(), userId: uuidv7(), provider: 'google', providerAccountId: 'bench', accessToken: TOKEN, scope: 'https://www.googleapis.com/auth/gmail.readonly', expiresAt: null };
  accessFor(): Promise<OAuthAccess> {
    return Promise.resolve(this.access);
  }
  refreshAfterRejection(): Promise<OAuthAccess> {
    return Promise.resolve(this.access);
  }
}

function runnerFor(backend: BenchBackend, guard: OutboundGuard, apiBase: string) {
  const deps = syncRunnerDeps(backend);
  return { runner: new GmailSyncRunner({ ...deps, http: { guard }, oauthTokens: new FixedTokens(), gmailApiBase: apiBase }), aggregates: deps.aggregates };
}

export const gmailSyncBench: Bench = {
  name: 'gmail-sync',
  async run({ smoke }: BenchOptions) {
    const messages = positiveInt('BENCH_GMAIL_MESSAGES', smoke ? 200 : 20_000);
    const arrivals = positiveInt('BENCH_GMAIL_ARRIVALS', smoke ? 3 : 20);
    const dir = mkdtempSync(join(tmpdir(), 'bench-gmail-'));
    const gmail = new FakeGmail();
    const guard = new OutboundGuard({ allowList: '127.0.0.1' });
    try {
      await gmail.start();
      const mbox = join(dir, 'corpus.mbox');
      const stats = writeMailCorpus(mbox, messages);
      const now = Date.now();
      let written = 0;
      // One mailbox per backend (each gets its own arrivals), filled with the same corpus, spread over the last 60 days.
      const backends = selectedBackends();
      for await (const m of mboxMessages(createReadStream(mbox, { highWaterMark: 1 << 20 }))) {
        if (!m.source) continue;
        const at = now - 60 * 86_400_000 + Math.floor(((written * 7919) % messages) * ((60 * 86_400_000) / messages));
        const labels = written % 5 === 0 ? ['SENT'] : written % 3 === 0 ? ['INBOX', 'UNREAD'] : ['INBOX', 'CATEGORY_UPDATES'];
        for (const kind of backends) gmail.deliver(`bench-${kind}@gmail.example`, m.source, { labelIds: labels, internalDate: at });
        written++;
      }
      log(`gmail-sync: ${written} messages (${round(stats.bytes / 1024 / 1024, 1)} MB) in the fake Gmail`);

      for (const kind of backends) {
        const email = `bench-${kind}@gmail.example`;
        gmail.grant(TOKEN, email);
        const backend = await openBackend(kind);
        try {
          const { runner, aggregates } = runnerFor(backend, guard, gmail.apiBase);
          const workspaceId = uuidv7();
          const sourceId = uuidv7();
          const meta = () => ({ commandId: uuidv7(), workspaceId, actorId: null, correlationId: uuidv7(), now: new Date() });
          const config = { oauthAccountId: uuidv7(), backfillDays: 90, pageSize: 500 };
          await aggregates.source.handle(sourceId, { kind: 'connect', sourceId, workspaceId, sourceKind: 'gmail', name: `gmail bench ${kind}`, config, credentialsCiphertext: null, externalId: null, now: new Date() }, meta());
          const source: PullSource = { id: sourceId, workspaceId, kind: 'gmail', credentialsCiphertext: null, config };

          log(`gmail-sync ${kind}: backfill of ${written} messages`);
          const requests0 = gmail.requests.length;
          const { summary: backfill, figures } = await timedBackfill(() => runner.run(source, { meta: meta() }));
          emit({
            bench: 'gmail-sync',
            case: `backfill-${written}`,
            backend: kind,
            value: figures.value,
            unit: 'messages/s',
            ...figures,
            messages: backfill.fetched,
            stored: backfill.stored,
            skipped: backfill.skipped,
            rejected: backfill.rejected,
            api_requests: gmail.requests.length - requests0,
            mailbox_mb: round(stats.bytes / 1024 / 1024, 1),
            note: 'the fake Gmail serves from this process: its JSON and base64url work is counted in cpu_s',
            smoke,
          });

          const latency = await arrivalLatencies(arrivals, async (i) => {
            const word = `arrival${i}x${uuidv7().replace(/-/g, '').slice(-10)}`;
            const delivered = gmail.deliver(email, arrivalMail(i, `${word}@bench.example`, word), { labelIds: ['INBOX', 'UNREAD'] });
            const r = await runner.run(source, { meta: meta() });
            // Searchable: the messages search (full text over the view) finds it.
            const found = await backend.pool.query(`SELECT external_id FROM ingestion_messages_view WHERE workspace_id = $1 AND search @@ websearch_to_tsquery('simple', $2)`, [workspaceId, word]);
            if (r.status !== 'completed' || found.rows[0]?.external_id !== delivered.id) throw new Error(`arrival ${i} is not searchable: ${r.error}`);
          });
          emit({
            bench: 'gmail-sync',
            case: 'arrival-to-searchable',
            backend: kind,
            value: latency.value,
            unit: 'ms (p95)',
            ...latency,
            mailbox_messages: written + arrivals,
            note: 'a message delivered to the fake, one sync run (token, history.list from the watermark, messages.get raw, parse, store), then found by the full-text search; the schedule interval comes on top',
            smoke,
          });
        } finally {
          await backend.close();
        }
      }
    } finally {
      await guard.close();
      await gmail.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
