import { Injectable } from '@nestjs/common';
import { PoolClient } from 'pg';
import { RecordedEvent } from '@libs/event-store/event-store.types';

export interface BatchOutcome {
  processed: number;
  parked: number;
  caughtUp: boolean;
}

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
  /** Applies parked events again, in order, inside `tx` (the admin's retry of a parked stream). */
  replay?(events: RecordedEvent[], tx: PoolClient): Promise<void>;
}

@Injectable()
export class ConsumerRegistry {
  private readonly definitions = new Map<string, DurableConsumerDefinition>();

  register(definition: DurableConsumerDefinition): void {
    if (this.definitions.has(definition.name)) throw new Error(`Consumer ${definition.name} registered twice`);
    this.definitions.set(definition.name, definition);
  }

  get(name: string): DurableConsumerDefinition | undefined {
    return this.definitions.get(name);
  }

  all(): DurableConsumerDefinition[] {
    return [...this.definitions.values()];
  }
}
