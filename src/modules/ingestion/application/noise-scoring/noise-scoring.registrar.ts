import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '@libs/database/database-backend';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { ConsumerRegistry } from '@libs/eventsourcing/subscriptions/durable-consumer';
import { ParkedEvents } from '@libs/eventsourcing/subscriptions/parked-events';
import { SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';
import { MessageTokenizer } from '@modules/ingestion/domain/noise/message-token';
import { MessageClassificationWriter } from '@modules/ingestion/infrastructure/message-classification-writer';
import { NOISE_SCORING_CONSUMER, NoiseScoringConsumer } from './noise-scoring.consumer';

/** Messages per batch: tokenising 500 messages takes ~40 ms, their appends one transaction. */
const BATCH_SIZE = 500;

/**
 * Registers noise scoring as a durable consumer (`ingestion.noise-scoring`, kind integration):
 * the SubscriptionRunner runs it in processes with RUN_SUBSCRIPTIONS, one at a time (lease), and
 * the parked-events admin replays it through `replay`.
 */
@Injectable()
export class NoiseScoringRegistrar implements OnModuleInit {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly consumers: ConsumerRegistry,
    private readonly checkpoints: SubscriptionCheckpoints,
    private readonly parked: ParkedEvents,
    private readonly writer: MessageClassificationWriter,
    private readonly tokenizer: MessageTokenizer,
  ) {}

  onModuleInit(): void {
    const replayer = this.consumer('replay');
    this.consumers.register({
      name: NOISE_SCORING_CONSUMER,
      kind: 'integration',
      create: (holderId) => this.consumer(holderId),
      replay: async (events, tx) => {
        await replayer.apply(tx, events);
      },
    });
  }

  private consumer(holder: string): NoiseScoringConsumer {
    return new NoiseScoringConsumer(this.store, this.pool, this.checkpoints, this.parked, this.writer, this.tokenizer, {
      batchSize: BATCH_SIZE,
      maxAttempts: 3,
      backoffMs: 100,
      holder,
    });
  }
}
