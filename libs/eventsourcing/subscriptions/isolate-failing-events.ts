import { Pool } from 'pg';
import { Checkpoint, RecordedEvent } from '@libs/event-store/event-store.types';
import { ParkedEvents } from './parked-events';
import { CheckpointMovedError, SubscriptionCheckpoints } from './subscription-checkpoints';
import { inTransaction } from './transaction';

export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 2000);
export const sameCheckpoint = (a: Checkpoint, b: Checkpoint) => a.transactionId === b.transactionId && a.globalPosition === b.globalPosition;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface IsolationContext {
  name: string;
  pool: Pool;
  checkpoints: SubscriptionCheckpoints;
  parked: ParkedEvents;
  holder: string;
  maxAttempts: number;
  backoffMs: number;
  /** Applies `events` and moves the checkpoint from `from` to `to` in one transaction; answers how many it parked. */
  commit(from: Checkpoint, to: Checkpoint, events: RecordedEvent[]): Promise<number>;
  onParked?(e: RecordedEvent, error: string): void;
}

/**
 * What every durable consumer does with a batch that failed as a whole: take its events one by
 * one to find the culprit, retry it with exponential backoff, then park it (dead letter, with the
 * error) and go on, so a poison event never blocks a consumer. Answers how many were parked.
 */
export async function isolateFailingEvents(ctx: IsolationContext, start: Checkpoint, events: RecordedEvent[], pageEnd: Checkpoint): Promise<number> {
  let at = start;
  let parked = 0;
  for (const e of events) {
    const next = { transactionId: e.transactionId, globalPosition: e.globalPosition };
    for (let attempt = 1; ; attempt++) {
      try {
        parked += await ctx.commit(at, next, [e]);
        break;
      } catch (err) {
        if (err instanceof CheckpointMovedError) throw err;
        await ctx.checkpoints.setStatus(ctx.name, 'failing', `${e.type} ${e.eventId}: ${errorText(err)}`);
        if (attempt >= ctx.maxAttempts) {
          await inTransaction(ctx.pool, async (tx) => {
            await ctx.checkpoints.lockAt(tx, ctx.name, at);
            await ctx.parked.park(tx, ctx.name, e, 'failed', errorText(err), attempt);
            await ctx.checkpoints.advance(tx, ctx.name, next, 1, ctx.holder);
          });
          ctx.onParked?.(e, errorText(err));
          parked++;
          break;
        }
        await sleep(ctx.backoffMs * 2 ** (attempt - 1));
      }
    }
    at = next;
  }
  if (!sameCheckpoint(at, pageEnd)) await ctx.commit(at, pageEnd, []);
  return parked;
}
