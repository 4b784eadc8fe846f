import { uuidV5 } from '@libs/common/ids/uuid-v5';
import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { PoolClient } from 'pg';
import { Checkpoint, RecordedEvent } from '@libs/event-store/event-store.types';
import { BatchedConsumer, ConsumerDeps, ConsumerOptions } from '@libs/eventsourcing/subscriptions/batched-consumer';
import { MESSAGE_NAMESPACE } from '@modules/ingestion/domain/message/message-identity';
import { MessageToken, MessageTokenizer } from '@modules/ingestion/domain/noise/message-token';
import { contentFingerprint, scoreNoise } from '@modules/ingestion/domain/noise/noise-scorer';
import { Classification, MessageClassificationWriter } from '@modules/ingestion/infrastructure/message-classification-writer';

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
export const classificationIdOf = (scoredEventId: string) => uuidV5(`${scoredEventId}:classified`, MESSAGE_NAMESPACE);

/** One hash per author and normalised content: the author subject id already names the source. */
const fingerprintOf = (authorSubjectId: string | null, normalised: string) => createHash('sha256').update(`${authorSubjectId ?? ''}\u0000${normalised}`).digest('hex');

/**
 * Scores messages along the log (a BatchedConsumer: own checkpoint and lease, run by the
 * SubscriptionRunner). Tokenising, the CPU part, is done before the transaction takes its
 * locks; then per batch, in ONE transaction with the checkpoint: for the last scored event of
 * each message, look up recent duplicates, score, append `ingestion.message-classified` to the
 * message stream and update the messages read model. Redelivery is harmless: each message
 * remembers the log position of the last event scored for it (with its fingerprint, in
 * ingestion_noise_state) and an event at or before it is skipped; the classification's event id
 * derives from the scored event's. Events of a message with a parked event wait behind it (an
 * edit is never scored before its original).
 */
export class NoiseScoringConsumer extends BatchedConsumer<Map<string, MessageToken[]>, number> {
  readonly name = NOISE_SCORING_CONSUMER;
  readonly eventTypes = SCORED_EVENT_TYPES;
  readonly ordering = 'per-stream';
  private readonly logger = new Logger('NoiseScoring');

  constructor(
    deps: ConsumerDeps,
    options: ConsumerOptions,
    private readonly writer: MessageClassificationWriter,
    private readonly tokenizer: MessageTokenizer,
  ) {
    super(deps, options);
  }

  override async prepare(events: RecordedEvent[]): Promise<Map<string, MessageToken[]>> {
    return new Map(events.map((e) => [e.eventId, this.tokensOf(e)]));
  }

  private tokensOf(e: RecordedEvent): MessageToken[] {
    return this.tokenizer.tokenize(String((e.data as { content?: unknown }).content ?? ''));
  }

  /**
   * Scores `events` inside `tx` (also the admin's replay of a parked message, in order), with
   * the tokens `prepare` computed by event id (any missing are computed here).
   */
  async apply(tx: PoolClient, events: RecordedEvent[], tokens: Map<string, MessageToken[]>): Promise<number> {
    // The last scored event of each message: an edit in the same batch supersedes the original.
    const latest = new Map<string, RecordedEvent>();
    for (const e of events) if (SCORED_EVENT_TYPES.includes(e.type)) latest.set((e.data as { messageId: string }).messageId, e);
    if (latest.size === 0) return 0;
    const targets = await this.writer.lockTargets(tx, [...latest.keys()]);

    const candidates = [...latest.values()].flatMap((e) => {
      const target = targets.get((e.data as { messageId: string }).messageId);
      if (!target || target.deleted) return []; // deleted since (or never stored): nothing to score
      if (target.scored && !isAfter(e, target.scored)) return []; // a redelivery: scored already
      const toks = tokens.get(e.eventId) ?? this.tokensOf(e);
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

  override afterCommit(scored: number): void {
    if (scored) this.writer.notifyAppended();
  }

  override onParked(e: RecordedEvent, err: string): void {
    this.logger.warn({ eventId: e.eventId, type: e.type, err }, 'message scoring parked');
  }
}
