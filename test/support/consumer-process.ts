/**
 * A stand-alone consumer process for the multi-process tests: runs one row projection with a
 * lease, exactly as the app's SubscriptionRunner does, and prints HOLDER when it takes over.
 * Usage: node --import tsx test/support/consumer-process.ts <databaseUrl> <projectionName> <tag>
 */
import { Pool } from 'pg';
import { PostgresLeaseManager } from '@libs/database/coordination/postgres.coordination';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { ParkedEvents } from '@libs/eventsourcing/subscriptions/parked-events';
import { ProjectionConsumer } from '@libs/eventsourcing/subscriptions/projection-consumer';
import { SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import { StreamCountsProjection } from './fixtures/stream-counts.projection';

async function main(): Promise<void> {
  const [url, name, tag] = process.argv.slice(2);
  const pool = new Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  const leases = new PostgresLeaseManager(pool);
  Object.defineProperty(leases, 'holderId', { value: `proc-${tag}` });
  const projection = new StreamCountsProjection(name);
  projection.delayMs = Number(process.env.HANDLER_DELAY_MS ?? 1);
  const consumer = new ProjectionConsumer(
    projection,
    new PostgresEventStore(pool, { namedStatements: true }),
    pool,
    new SubscriptionCheckpoints(pool),
    new ParkedEvents(pool),
    { batchSize: 200, maxAttempts: 3, backoffMs: 10, holder: `proc-${tag}` },
  );
  let holding = false;
  for (;;) {
    try {
      if (await leases.tryAcquire(`subscription:${name}`, 1500)) {
        if (!holding) process.stdout.write(`HOLDER ${tag}\n`);
        holding = true;
        const out = await consumer.processNext();
        if (out.caughtUp) await new Promise((r) => setTimeout(r, 50));
      } else {
        holding = false;
        await new Promise((r) => setTimeout(r, 200));
      }
    } catch (err) {
      process.stderr.write(`${tag}: ${(err as Error).message}\n`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

void main();
