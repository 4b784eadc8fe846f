import { Injectable, OnModuleInit } from '@nestjs/common';
import { BatchedConsumers } from '@libs/eventsourcing/subscriptions/batched-consumers';
import { MessageTokenizer } from '@modules/ingestion/domain/noise/message-token';
import { MessageClassificationWriter } from '@modules/ingestion/infrastructure/message-classification-writer';
import { NoiseScoringConsumer } from './noise-scoring.consumer';

/** Messages per batch: tokenising 500 messages takes ~40 ms, their appends one transaction. */
const BATCH_SIZE = 500;

/**
 * Registers noise scoring as a durable consumer (`ingestion.noise-scoring`, kind integration):
 * the SubscriptionRunner runs it in processes with RUN_SUBSCRIPTIONS, one at a time (lease), and
 * the parked-events admin replays it.
 */
@Injectable()
export class NoiseScoringRegistrar implements OnModuleInit {
  constructor(
    private readonly consumers: BatchedConsumers,
    private readonly writer: MessageClassificationWriter,
    private readonly tokenizer: MessageTokenizer,
  ) {}

  onModuleInit(): void {
    this.consumers.register(
      'integration',
      (holder) => new NoiseScoringConsumer(this.consumers.deps, { batchSize: BATCH_SIZE, maxAttempts: 3, backoffMs: 100, holder }, this.writer, this.tokenizer),
    );
  }
}
