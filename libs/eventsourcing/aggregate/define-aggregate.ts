import { ConcurrencyError } from '@libs/event-store/concurrency.error';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { Decider, DomainEvent } from '@libs/eventsourcing/decider';
import { EventSourcedCommandHandler, HandledCommand } from '@libs/eventsourcing/event-sourced-command.handler';
import { SnapshotStore } from '@libs/eventsourcing/snapshot-store';

/** Request metadata an aggregate may decline to honour (see AggregateOptions.ignores). */
export type IgnorableMetadata = 'expectedVersion' | 'idempotencyKey';

export interface AggregateOptions<S, E extends DomainEvent, R> {
  /** Recorded with every event (the audit log filters on it). */
  streamType: string;
  /** The stream of one instance; `<streamType>-<id>` when left out. */
  streamId?: (id: string) => string;
  /** What a caller gets back; also what an idempotent retry reads back (it is stored with the key). */
  result: (ctx: { state: S; events: E[]; version: number }) => R;
  /**
   * The module's own error for a client's If-Match the stream has moved past. Without it the
   * ConcurrencyError itself goes up (a 409).
   */
  staleVersion?: (err: ConcurrencyError, expectedVersion: number) => Error;
  /**
   * Metadata this aggregate never honours: 'expectedVersion' when clients do not version it (a
   * racing writer is decided again instead), 'idempotencyKey' when its answer must not be stored.
   */
  ignores?: readonly IgnorableMetadata[];
  /** For long streams: load from a snapshot taken every `every` events (`type` changes with the state's shape). */
  snapshots?: { every: number; type: string };
}

export interface HandleOptions {
  /** The request body (or any stable form of it) when it is not the command itself: an Idempotency-Key reused for another body is refused. */
  fingerprint?: unknown;
  /** Retries on a concurrency conflict when no If-Match pins the version (default 10). */
  retries?: number;
}

/** A declared aggregate bound to the command handler: `handle` is the whole write path of one instance. */
export interface Aggregate<C, R> {
  readonly streamType: string;
  streamId(id: string): string;
  handle(id: string, command: C, metadata: CommandMetadata, options?: HandleOptions): Promise<HandledCommand<R>>;
}

/** What `defineAggregate` returns: the declaration, bound once to a handler (in the module's provider). */
export interface AggregateDeclaration<C, R> {
  readonly streamType: string;
  streamId(id: string): string;
  /** `snapshots` is needed when the declaration asks for snapshots. */
  bind(handler: EventSourcedCommandHandler, snapshots?: SnapshotStore): Aggregate<C, R>;
}

/**
 * Declares an aggregate once: its decider, stream naming, the answer callers get, and how a
 * stale If-Match reads in the module's own errors. A module binds it to the handler in its
 * provider and calls `handle`; nothing else names the stream.
 *
 *   export const accountAggregate = defineAggregate(accountDecider, {
 *     streamType: 'account',                       // streams `account-<id>`
 *     result: ({ version }) => ({ version }),
 *     staleVersion: (err, expected) => new CrmError(CrmErrorCode.StaleVersion, `The account changed since version ${expected}`),
 *   });
 *
 *   @Injectable()
 *   export class CrmAggregates {
 *     constructor(private readonly handler: EventSourcedCommandHandler) {}
 *     readonly account = accountAggregate.bind(this.handler);
 *   }
 *
 *   await aggregates.account.handle(accountId, { kind: 'rename', name, now: meta.now }, meta, { fingerprint: input });
 */
export function defineAggregate<C, S, E extends DomainEvent, R>(decider: Decider<C, S, E>, options: AggregateOptions<S, E, R>): AggregateDeclaration<C, R> {
  const { streamType, result, staleVersion, ignores = [], snapshots } = options;
  const streamId = options.streamId ?? ((id: string) => `${streamType}-${id}`);
  const honoured = (metadata: CommandMetadata): CommandMetadata => {
    if (ignores.length === 0) return metadata;
    const out = { ...metadata };
    for (const key of ignores) out[key] = undefined;
    return out;
  };

  return {
    streamType,
    streamId,
    bind(handler, snapshotStore) {
      if (snapshots && !snapshotStore) throw new Error(`The ${streamType} aggregate takes snapshots: bind it with a SnapshotStore`);
      return {
        streamType,
        streamId,
        async handle(id, command, metadata, handleOptions = {}) {
          const meta = honoured(metadata);
          try {
            return await handler.handle(decider, command, {
              streamId: streamId(id),
              streamType,
              metadata: meta,
              requestFingerprint: handleOptions.fingerprint,
              retries: handleOptions.retries,
              snapshots: snapshots && snapshotStore ? { store: snapshotStore, ...snapshots } : undefined,
              result,
            });
          } catch (err) {
            // The client's If-Match named a version the stream has moved past.
            if (staleVersion && err instanceof ConcurrencyError && typeof meta.expectedVersion === 'number') throw staleVersion(err, meta.expectedVersion);
            throw err;
          }
        },
      };
    },
  };
}
