import { createHash } from 'node:crypto';
import { ApplicationError } from '@libs/common/errors/application-error';
import { Decider } from '@libs/eventsourcing/decider';

/**
 * Uniqueness in an event-sourced model (emails, slugs, external ids): one tiny stream per
 * (scope, value) whose first event claims it. The event store's stream compare-and-set makes
 * two concurrent claims impossible; no read model is trusted for it. Released values can be
 * claimed again. The stream id carries a hash, never the value (it may be personal data).
 */
export type UniqueClaimEvent =
  | { type: 'uniqueness.value-claimed'; data: { scope: string; owner: string } }
  | { type: 'uniqueness.value-released'; data: { scope: string; owner: string } };

export type UniqueClaimCommand = { kind: 'claim'; scope: string; owner: string } | { kind: 'release'; scope: string; owner: string };

export interface UniqueClaimState {
  owner: string | null;
}

export class UniqueValueTakenError extends ApplicationError {
  readonly code = 'UNIQUE_VALUE_TAKEN';
}

export const uniqueClaimDecider: Decider<UniqueClaimCommand, UniqueClaimState, UniqueClaimEvent> = {
  initialState: () => ({ owner: null }),
  evolve: (_s, e) => (e.type === 'uniqueness.value-claimed' ? { owner: e.data.owner } : { owner: null }),
  decide: (c, s) => {
    if (c.kind === 'claim') {
      if (s.owner === c.owner) return [];
      if (s.owner !== null) throw new UniqueValueTakenError(`This ${c.scope} is already taken`, { scope: c.scope });
      return { type: 'uniqueness.value-claimed', data: { scope: c.scope, owner: c.owner } };
    }
    if (s.owner !== c.owner) return [];
    return { type: 'uniqueness.value-released', data: { scope: c.scope, owner: c.owner } };
  },
};

/** `unique-<scope>-<sha256(scope:value)>`: values are normalised by the caller (e.g. lower-cased emails). */
export function uniqueClaimStreamId(scope: string, value: string): string {
  return `unique-${scope}-${createHash('sha256').update(`${scope}:${value}`).digest('hex')}`;
}
