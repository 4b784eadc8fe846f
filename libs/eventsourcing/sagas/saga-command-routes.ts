import { Injectable } from '@nestjs/common';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';

/**
 * How a saga's outgoing command reaches its handler. A module registers one route per command
 * type it accepts from sagas (usually `(data, meta) => commandBus.execute(new X(..., meta))`).
 * The metadata carries the deterministic command id as `commandId` AND `idempotencyKey`, so a
 * command dispatched twice (crash between send and bookkeeping) appends once.
 */
export type SagaCommandRoute = (data: Record<string, unknown>, metadata: CommandMetadata) => Promise<unknown>;

@Injectable()
export class SagaCommandRoutes {
  private readonly routes = new Map<string, SagaCommandRoute>();

  register(type: string, route: SagaCommandRoute): void {
    if (this.routes.has(type)) throw new Error(`A saga command route for ${type} is registered twice`);
    this.routes.set(type, route);
  }

  get(type: string): SagaCommandRoute | undefined {
    return this.routes.get(type);
  }
}
