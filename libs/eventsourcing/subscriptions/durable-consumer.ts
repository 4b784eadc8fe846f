import { Injectable } from '@nestjs/common';
import { BatchOutcome } from './projection-consumer';

/**
 * Anything the SubscriptionRunner drives along the log besides projections (sagas, integration
 * handlers of other modules): one named consumer with its own checkpoint row and lease.
 */
export interface DurableConsumer {
  readonly name: string;
  /** Processes the next batch past its checkpoint; never applies an event twice. */
  processNext(): Promise<BatchOutcome>;
}

export interface DurableConsumerDefinition {
  name: string;
  kind: 'saga' | 'integration';
  /** Built once per process, with this process's lease holder id. */
  create(holderId: string): DurableConsumer;
}

@Injectable()
export class ConsumerRegistry {
  private readonly definitions = new Map<string, DurableConsumerDefinition>();

  register(definition: DurableConsumerDefinition): void {
    if (this.definitions.has(definition.name)) throw new Error(`Consumer ${definition.name} registered twice`);
    this.definitions.set(definition.name, definition);
  }

  all(): DurableConsumerDefinition[] {
    return [...this.definitions.values()];
  }
}
