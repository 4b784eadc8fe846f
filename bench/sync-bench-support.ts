import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { loadAppConfig } from '@app/config/app-config';
import { EncryptedColumns } from '@libs/common/crypto/encrypted-columns';
import { SecretBox } from '@libs/common/crypto/secret-box';
import { EventTypeRegistry } from '@libs/event-store/event-type-registry';
import { PersonalDataCipher } from '@libs/event-store/personal-data-cipher';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { SnapshotStore } from '@libs/eventsourcing/snapshot-store';
import type { SyncRunnerDeps, SyncSummary } from '@modules/ingestion/application/pull-sync/sync-runner';
import { sourceContactPersonalData } from '@modules/ingestion/domain/conversation.events';
import { messagePersonalData } from '@modules/ingestion/domain/message/message.events';
import { IngestionAggregates } from '@modules/ingestion/infrastructure/ingestion-aggregates';
import { MessageWriter } from '@modules/ingestion/infrastructure/message-writer';
import { SourceCredentials } from '@modules/ingestion/infrastructure/source-credentials';
import { JobsProjection } from '@modules/ingestion/projections/jobs.projection';
import { MessagesProjection } from '@modules/ingestion/projections/messages.projection';
import { SourcesProjection } from '@modules/ingestion/projections/sources.projection';
import type { BenchBackend } from './harness';
import { round } from './harness';

/**
 * What the mailbox sync benches (imap-sync, gmail-sync) share: a runner's collaborators on a
 * bench database (the app's event store, projections and personal-data sealing, no Nest), the
 * timed backfill, and the arrival latencies.
 */
export function syncRunnerDeps(backend: BenchBackend): Pick<SyncRunnerDeps, 'pool' | 'writer' | 'aggregates' | 'credentials'> & { aggregates: IngestionAggregates; credentials: SourceCredentials } {
  const box = new SecretBox([SecretBox.generateKey('bench')]);
  const registry = new EventTypeRegistry();
  for (const [type, spec] of Object.entries({ ...messagePersonalData, ...sourceContactPersonalData })) registry.personalData(type, spec);
  const projections = new ProjectionRegistry();
  projections.register(new SourcesProjection(), new MessagesProjection(), new JobsProjection());
  const store = new PostgresEventStore(backend.pool, { registry, namedStatements: backend.namedStatements, personalData: new PersonalDataCipher(box) });
  const aggregates = new IngestionAggregates(new EventSourcedCommandHandler(store, { pool: backend.pool, registry: projections }), new SnapshotStore(backend.pool));
  // The mail servers (Dovecot, the fake Gmail) listen on loopback: allowed here as the tests allow it.
  const credentials = new SourceCredentials(box, new EncryptedColumns(), loadAppConfig({ NODE_ENV: 'test', CONNECTOR_ALLOWED_HOSTS: '127.0.0.1' }));
  return { pool: backend.pool, writer: new MessageWriter(backend.pool, store), aggregates, credentials };
}

/** One backfill run, timed: messages/s of what it fetched, wall and CPU seconds, the load it ran under. */
export async function timedBackfill(run: () => Promise<SyncSummary>): Promise<{ summary: SyncSummary; figures: Record<string, number> }> {
  const load = loadavg()[0];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const summary = await run();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (summary.status !== 'completed') throw new Error(`the backfill failed: ${summary.error}`);
  return {
    summary,
    figures: { value: round(summary.fetched / seconds, 1), seconds: round(seconds, 2), cpu_s: round((cpu.user + cpu.system) / 1e6, 2), load_avg_1m: round(load, 2) },
  };
}

/** A new customer question, as an arrival the benches deliver one at a time. */
export function arrivalMail(i: number, messageId: string, caseText: string): string {
  return `From: Dana <dana@customer.example>\r\nTo: support@bench.example\r\nSubject: New question ${i}\r\nMessage-ID: <${messageId}>\r\nDate: ${new Date().toUTCString()}\r\n\r\nThe export to CSV fails again, case ${caseText}.\r\n`;
}

/** `arrive(i)` for each arrival, one after another, timed: p95 (the value), p50 and max in ms. */
export async function arrivalLatencies(arrivals: number, arrive: (i: number) => Promise<void>): Promise<Record<string, number>> {
  const latencies: number[] = [];
  for (let i = 0; i < arrivals; i++) {
    const a0 = performance.now();
    await arrive(i);
    latencies.push(performance.now() - a0);
  }
  return { value: round(percentile(latencies, 95), 1), p50_ms: round(percentile(latencies, 50), 1), max_ms: round(Math.max(...latencies), 1), arrivals };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
