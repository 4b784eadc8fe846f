import { ConcurrencyError } from '@libs/event-store/concurrency.error';
import { defineAggregate } from '@libs/eventsourcing/aggregate/define-aggregate';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { uniqueClaimDecider, uniqueClaimStreamId, UniqueValueTakenError } from '@libs/eventsourcing/uniqueness/unique-claim.decider';

export interface UniqueClaimOptions<V> {
  /** The module's own error when another owner holds the value. */
  taken: (value: V) => Error;
  /** The claimed key of a value, already normalised (e.g. a lower-cased email); the value itself when it is a string. */
  key?: (value: V) => string;
}

/** One scope of unique values (emails, slugs, external accounts) bound to the command handler. */
export interface UniqueClaim<V> {
  readonly scope: string;
  /** Claims `value` for `owner`, or throws the scope's `taken` error. Answers whether this call took it (false: `owner` held it already). */
  claim(value: V, owner: string, metadata: CommandMetadata): Promise<boolean>;
  /** Frees `value` when `owner` holds it, for anyone to claim again. Answers whether this call freed it. */
  release(value: V, owner: string, metadata: CommandMetadata): Promise<boolean>;
}

export interface UniqueClaimDeclaration<V> {
  readonly scope: string;
  streamId(value: V): string;
  bind(handler: EventSourcedCommandHandler): UniqueClaim<V>;
}

/**
 * Declares a scope of unique values once: its stream naming and the module's error for a taken
 * value. The claim's own stream is the lock (see unique-claim.decider.ts): two concurrent claims
 * cannot both win, and no read model is trusted for it. Claims never honour If-Match or an
 * Idempotency-Key: a retried request finds its own claim and goes on.
 *
 *   const workspaceSlugs = defineUniqueClaim('workspace-slug', { taken: () => new IdentityError(Code.SlugTaken, 'This workspace-slug is already taken') });
 *   const topicNames = defineUniqueClaim('topic-name', {
 *     key: ({ workspaceId, nameKey }: { workspaceId: string; nameKey: string }) => `${workspaceId}:${nameKey}`,
 *     taken: () => new KnowledgeGraphError(Code.TopicNameTaken, 'A topic with this name exists in the workspace'),
 *   });
 *
 *   readonly slugs = workspaceSlugs.bind(this.handler);       // in the module's provider
 *   await aggregates.slugs.claim(slug, workspaceId, meta);      // throws SlugTaken for another owner
 *   await aggregates.slugs.release(oldSlug, workspaceId, meta);
 */
export function defineUniqueClaim(scope: string, options: UniqueClaimOptions<string>): UniqueClaimDeclaration<string>;
export function defineUniqueClaim<V>(scope: string, options: UniqueClaimOptions<V> & { key: (value: V) => string }): UniqueClaimDeclaration<V>;
export function defineUniqueClaim<V>(scope: string, options: UniqueClaimOptions<V>): UniqueClaimDeclaration<V> {
  // Only the string overload leaves `key` out: there the value is its own key.
  const keyOf = options.key ?? ((value: V) => String(value));
  const claims = defineAggregate(uniqueClaimDecider, {
    streamType: 'unique-claim',
    streamId: (key) => uniqueClaimStreamId(scope, key),
    result: () => null,
    ignores: ['expectedVersion', 'idempotencyKey'],
  });

  return {
    scope,
    streamId: (value) => claims.streamId(keyOf(value)),
    bind(handler) {
      const aggregate = claims.bind(handler);
      return {
        scope,
        async claim(value, owner, metadata) {
          try {
            const handled = await aggregate.handle(keyOf(value), { kind: 'claim', scope, owner }, metadata);
            return handled.events > 0;
          } catch (err) {
            // A conflict that outlasts the retries is another claim winning the race.
            if (err instanceof UniqueValueTakenError || err instanceof ConcurrencyError) throw options.taken(value);
            throw err;
          }
        },
        async release(value, owner, metadata) {
          const handled = await aggregate.handle(keyOf(value), { kind: 'release', scope, owner }, metadata);
          return handled.events > 0;
        },
      };
    },
  };
}
