import { createHash } from 'node:crypto';
import { IdempotencyKeyReusedError } from '@libs/common/errors/application-error';
import { ConcurrencyError } from '@libs/event-store/concurrency.error';
import { AppendOptions, NO_STREAM, Queryable } from '@libs/event-store/event-store.types';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { CommandMetadata, idempotencyScopeOf } from './command-metadata';
import { Decider, DomainEvent, toArray } from './decider';
import { SnapshotStore } from './snapshot-store';
import { Pool } from 'pg';
import { applyRowProjection, RowProjection } from './projections/row-projection';
import { ProjectionRegistry } from './projections/projection.registry';
import { inTransaction } from './subscriptions/transaction';
import { DEFAULT_CONFLICT_RETRIES, retryOnConflict, StreamTurns } from './retry-on-conflict';

export interface HandleCommandOptions<S, E extends DomainEvent, R> {
  streamId: string;
  streamType: string;
  metadata: CommandMetadata;
  /** What the caller gets back (also what an idempotent retry gets back). */
  result: (ctx: { state: S; events: E[]; version: number }) => R;
  /**
   * Retries on a concurrency conflict by reloading and deciding again. Only safe when the
   * client did not pin a version (If-Match); defaults to 10. Writers of one stream in this
   * process then take turns; a conflict with another process backs off with full jitter
   * (retryOnConflict).
   */
  retries?: number;
  /** The request body (or any stable form of the command) to detect an idempotency key reused for another request. */
  requestFingerprint?: unknown;
  snapshots?: { store: SnapshotStore; every: number; type: string };
  client?: Queryable;
}

/** The key as the store keeps it: scoped to the caller and route, owned by the person behind the caller. */
function idempotencyOf(meta: CommandMetadata, requestHash: string | undefined, result: unknown): AppendOptions['idempotency'] {
  if (meta.idempotencyKey === undefined) return undefined;
  return { key: meta.idempotencyKey, scope: idempotencyScopeOf(meta), ownerId: meta.idempotencyOwnerId ?? null, requestHash, result };
}

export interface HandledCommand<R> {
  result: R;
  version: number;
  events: number;
  duplicate: boolean;
}

/**
 * Load -> decide -> append with the expected version: the write side of every aggregate.
 * A decider's state comes only from its own stream (optionally from a snapshot).
 */
export class EventSourcedCommandHandler {
  /** Writers of one stream in this process take turns after a conflict (see retryOnConflict). */
  private readonly turns = new StreamTurns();

  constructor(
    private readonly store: PostgresEventStore,
    /** With inline projections registered, appends of their event types run in a transaction with them. */
    private readonly inline?: { pool: Pool; registry: ProjectionRegistry },
  ) {}

  async handle<C, S, E extends DomainEvent, R>(
    decider: Decider<C, S, E>,
    command: C,
    options: HandleCommandOptions<S, E, R>,
  ): Promise<HandledCommand<R>> {
    const pinned = options.metadata.expectedVersion;
    // A pinned version (If-Match) is the client's to re-read: its conflict goes straight up.
    const retries = pinned === undefined ? (options.retries ?? DEFAULT_CONFLICT_RETRIES) : 0;
    const requestHash =
      options.metadata.idempotencyKey !== undefined
        ? createHash('sha256').update(JSON.stringify(options.requestFingerprint ?? command)).digest('hex')
        : undefined;
    const attempt = async (): Promise<HandledCommand<R>> => {
      const { state, version } = await this.load(decider, options);
      if (typeof pinned === 'number' && pinned !== version) {
        throw new ConcurrencyError(options.streamId, pinned, version);
      }
      const events = toArray(decider.decide(command, state));
      const after = events.reduce(decider.evolve, state);
      const result = options.result({ state: after, events, version: version + events.length });
      if (events.length === 0) return { result, version, events: 0, duplicate: false };
      const inlineProjections = this.inlineFor(events);
      const toAppend = events.map((e) => ({ type: e.type, data: e.data }));
      const appendOptions = (client: Queryable | undefined): AppendOptions => ({
        streamType: options.streamType,
        expectedVersion: version === 0 ? NO_STREAM : version,
        workspaceId: options.metadata.workspaceId,
        actorId: options.metadata.actorId,
        correlationId: options.metadata.correlationId,
        causationId: options.metadata.commandId,
        client,
        idempotency: idempotencyOf(options.metadata, requestHash, { result, version: version + events.length }),
      });
      const appended = inlineProjections.length && !options.client
        ? await this.appendWithInline(inlineProjections, options.streamId, version, toAppend, appendOptions)
        : await this.store.append(options.streamId, toAppend, appendOptions(options.client));
      if (appended.duplicate) {
        if (appended.requestHash && requestHash && appended.requestHash !== requestHash) {
          throw new IdempotencyKeyReusedError('This Idempotency-Key was already used for a different request', {
            idempotencyKey: options.metadata.idempotencyKey,
          });
        }
        const stored = appended.result as { result: R; version: number };
        return { result: stored.result, version: stored.version, events: 0, duplicate: true };
      }
      if (options.snapshots && Math.floor(appended.nextExpectedVersion / options.snapshots.every) > Math.floor(version / options.snapshots.every)) {
        await options.snapshots.store.save(options.streamId, options.snapshots.type, appended.nextExpectedVersion, after);
      }
      return { result, version: appended.nextExpectedVersion, events: events.length, duplicate: false };
    };
    // Inside a caller's transaction no turns: it may hold the stream's row lock the turn's holder waits for.
    return retryOnConflict(options.streamId, attempt, { retries, turns: options.client ? undefined : this.turns });
  }

  private inlineFor(events: DomainEvent[]): RowProjection<any>[] {
    if (!this.inline) return [];
    return [...new Set(events.flatMap((e) => this.inline!.registry.inlineFor(e.type)))];
  }

  /** Append + inline projections in ONE transaction: the module's own reads see the write at once. */
  private async appendWithInline(
    projections: RowProjection<any>[],
    streamId: string,
    version: number,
    events: { type: string; data: unknown }[],
    appendOptions: (client: Queryable) => AppendOptions,
  ) {
    const appended = await inTransaction(this.inline!.pool, async (tx) => {
      const out = await this.store.append(streamId, events, appendOptions(tx));
      if (!out.duplicate) {
        const recorded = await this.store.readStream(streamId, { fromVersion: version + 1 }, tx);
        for (const p of projections) await applyRowProjection(p, recorded.events, tx);
      }
      return out;
    });
    if (!appended.duplicate) this.store.notifyAppended();
    return appended;
  }

  private async load<C, S, E extends DomainEvent, R>(
    decider: Decider<C, S, E>,
    options: HandleCommandOptions<S, E, R>,
  ): Promise<{ state: S; version: number }> {
    let state = decider.initialState();
    let fromVersion = 1;
    if (options.snapshots) {
      const snap = await options.snapshots.store.load<S>(options.streamId, options.snapshots.type);
      if (snap) {
        state = snap.state;
        fromVersion = snap.version + 1;
      }
    }
    const read = await this.store.readStream(options.streamId, { fromVersion }, options.client);
    for (const e of read.events) state = decider.evolve(state, { type: e.type, data: e.data } as E);
    return { state, version: read.currentVersion };
  }
}
