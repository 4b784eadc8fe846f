import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { v5 as uuidv5 } from 'uuid';
import { Checkpoint, RecordedEvent } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { DurableConsumer } from '@libs/eventsourcing/subscriptions/durable-consumer';
import { ParkedEvents } from '@libs/eventsourcing/subscriptions/parked-events';
import { BatchOutcome, ConsumerOptions } from '@libs/eventsourcing/subscriptions/projection-consumer';
import { CheckpointMovedError, SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import { inTransaction } from '@libs/eventsourcing/subscriptions/transaction';
import { MESSAGE_NAMESPACE } from '@modules/ingestion/domain/message/message-identity';
import { MessageToken, MessageTokenizer } from '@modules/ingestion/domain/noise/message-token';
import { contentFingerprint, scoreNoise } from '@modules/ingestion/domain/noise/noise-scorer';
import { Classification, MessageClassificationWriter } from '@modules/ingestion/infrastructure/message-classification-writer';
import { isolateFailingEvents, sameCheckpoint as same } from '@libs/eventsourcing/subscriptions/isolate-failing-events';

export const NOISE_SCORING_CONSUMER = 'ingestion.noise-scoring';
/** The events whose content is scored: a new message, and an edit (scored again). */
export const SCORED_EVENT_TYPES = ['ingestion.message-ingested', 'ingestion.message-edited'];
/** The same content by the same author within this many days (either side) is a duplicate. */
export const DUPLICATE_WINDOW_DAYS = 7;
const ACTOR = `system:${NOISE_SCORING_CONSUMER}`;


/** Log order: (transaction id, position). */
const isAfter = (e: RecordedEvent, p: Checkpoint) => {
  const a = BigInt(e.transactionId);
  const b = BigInt(p.transactionId);
  return a > b || (a === b && e.globalPosition > p.globalPosition);
};

/** The classification event of a scored event: the same event always yields the same id. */
export const classificationIdOf = (scoredEventId: string) => uuidv5(`${scoredEventId}:classified`, MESSAGE_NAMESPACE);

/** One hash per author and normalised content: the author subject id already names the source. */
const fingerprintOf = (authorSubjectId: string | null, normalised: string) => createHash('sha256').update(`${authorSubjectId ?? ''}\u0000${normalised}`).digest('hex');

/**
 * Scores messages along the log (a durable consumer: own checkpoint and lease, run by the
 * SubscriptionRunner). Per batch, in ONE transaction with the checkpoint: for the last scored
 * event of each message, tokenise, look up recent duplicates, score, append
 * `ingestion.message-classified` to the message stream and update the messages read model.
 * Redelivery is harmless: each message remembers the log position of the last event scored for
 * it (with its fingerprint, in ingestion_noise_state) and an event at or before it is skipped; the
 * classification's event id derives from the scored event's. A failing batch is retried event by
 * event; the culprit is parked (with the later events of its message behind it) and the consumer
 * moves on.
 */
export class NoiseScoringConsumer implements DurableConsumer {
  readonly name = NOISE_SCORING_CONSUMER;
  private readonly logger = new Logger('NoiseScoring');

  constructor(
    private readonly store: PostgresEventStore,
    private readonly pool: Pool,
    private readonly checkpoints: SubscriptionCheckpoints,
    private readonly parked: ParkedEvents,
    private readonly writer: MessageClassificationWriter,
    private readonly tokenizer: MessageTokenizer,
    private readonly options: ConsumerOptions,
  ) {}

  async processNext(): Promise<BatchOutcome> {
    const state = await this.checkpoints.get(this.name);
    if (!state) throw new Error(`No checkpoint row for ${this.name}`);
    const page = await this.store.readAll({ after: state.checkpoint, limit: this.options.batchSize, eventTypes: SCORED_EVENT_TYPES });
    if (page.events.length === 0) {
      if (!same(page.checkpoint, state.checkpoint)) await this.commit(state.checkpoint, page.checkpoint, []);
      return { processed: 0, parked: 0, caughtUp: true };
    }
    const caughtUp = page.events.length < this.options.batchSize;
    try {
      const parked = await this.commit(state.checkpoint, page.checkpoint, page.events);
      return { processed: page.events.length, parked, caughtUp };
    } catch (err) {
      if (err instanceof CheckpointMovedError) throw err;
      const parked = await this.isolate(state.checkpoint, page.events, page.checkpoint);
      return { processed: page.events.length, parked, caughtUp };
    }
  }

  /**
   * Scores `events` inside `tx` (also the admin's replay of a parked message, in order).
   * `tokens` may carry tokens computed before the transaction, by event id.
   */
  async apply(tx: PoolClient, events: RecordedEvent[], tokens = new Map<string, MessageToken[]>()): Promise<number> {
    // The last scored event of each message: an edit in the same batch supersedes the original.
    const latest = new Map<string, RecordedEvent>();
    for (const e of events) if (SCORED_EVENT_TYPES.includes(e.type)) latest.set((e.data as { messageId: string }).messageId, e);
    if (latest.size === 0) return 0;
    const targets = await this.writer.lockTargets(tx, [...latest.keys()]);

    const candidates = [...latest.values()].flatMap((e) => {
      const target = targets.get((e.data as { messageId: string }).messageId);
      if (!target || target.deleted) return []; // deleted since (or never stored): nothing to score
      if (target.scored && !isAfter(e, target.scored)) return []; // a redelivery: scored already
      const toks = tokens.get(e.eventId) ?? this.tokenizer.tokenize(String((e.data as { content?: unknown }).content ?? ''));
      const normalised = contentFingerprint(toks);
      return [{ e, target, toks, fingerprint: normalised === null ? null : fingerprintOf(target.authorSubjectId, normalised) }];
    });
    const probes = candidates.flatMap((c, i) => (c.fingerprint ? [{ i, fingerprint: c.fingerprint, messageId: c.target.id, sentAt: c.target.sentAt }] : []));
    const seenInStore = await this.writer.seenWithin(tx, probes, DUPLICATE_WINDOW_DAYS);
    const seen = new Set(probes.filter((_, k) => seenInStore.has(k)).map((p) => p.i));
    // Earlier messages of this very batch count as seen too.
    const windowMs = DUPLICATE_WINDOW_DAYS * 86_400_000;
    const inBatch = new Map<string, { messageId: string; at: number }[]>();

    const classifiedAt = new Date().toISOString();
    const out: Classification[] = candidates.map((c, i) => {
      const at = c.target.sentAt.getTime();
      const earlier = c.fingerprint ? inBatch.get(c.fingerprint) : undefined;
      const duplicate = seen.has(i) || !!earlier?.some((x) => x.messageId !== c.target.id && Math.abs(x.at - at) <= windowMs);
      if (c.fingerprint) {
        if (earlier) earlier.push({ messageId: c.target.id, at });
        else inBatch.set(c.fingerprint, [{ messageId: c.target.id, at }]);
      }
      const score = scoreNoise({ author: { name: c.target.authorName, email: c.target.authorEmail }, metadata: c.target.metadata }, c.toks, () => duplicate);
      return {
        eventId: classificationIdOf(c.e.eventId),
        workspaceId: c.target.workspaceId,
        data: { messageId: c.target.id, classification: score.classification, factors: { ...score.factors }, importance: score.importance, classifiedAt },
        correlationId: c.e.correlationId,
        causationId: c.e.eventId,
        fingerprint: c.fingerprint,
        sentAt: c.target.sentAt,
        position: { transactionId: c.e.transactionId, globalPosition: c.e.globalPosition },
      };
    });
    await this.writer.record(tx, out, ACTOR);
    return out.length;
  }

  private async commit(from: Checkpoint, to: Checkpoint, events: RecordedEvent[]): Promise<number> {
    // Tokenising is the CPU part: done before the transaction takes its locks.
    const tokens = new Map(events.map((e) => [e.eventId, this.tokenizer.tokenize(String((e.data as { content?: unknown }).content ?? ''))]));
    const { parked, scored } = await inTransaction(this.pool, async (tx) => {
      await this.checkpoints.lockAt(tx, this.name, from);
      // Events of a message with a parked event wait behind it: an edit is never scored before its original.
      const { toApply, parked } = await this.parked.holdBackBlocked(tx, this.name, events);
      const n = await this.apply(tx, toApply, tokens);
      await this.checkpoints.advance(tx, this.name, to, events.length, this.options.holder);
      return { parked, scored: n };
    });
    if (scored) this.writer.notifyAppended();
    return parked;
  }

  /** A failing batch: event by event, retrying the culprit with backoff, then parking it (libs/eventsourcing). */
  private isolate(start: Checkpoint, events: RecordedEvent[], pageEnd: Checkpoint): Promise<number> {
    return isolateFailingEvents(
      {
        name: this.name,
        pool: this.pool,
        checkpoints: this.checkpoints,
        parked: this.parked,
        holder: this.options.holder,
        maxAttempts: this.options.maxAttempts,
        backoffMs: this.options.backoffMs,
        commit: (from, to, batch) => this.commit(from, to, batch),
        onParked: (e, err) => this.logger.warn({ eventId: e.eventId, type: e.type, err }, 'message scoring parked'),
      },
      start,
      events,
      pageEnd,
    );
  }
}
