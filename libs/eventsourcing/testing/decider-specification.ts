import { Decider, DomainEvent, toArray } from '@libs/eventsourcing/decider';

/**
 * given(events).when(command).then(events) for deciders: no framework, no database.
 *
 *   spec.given([opened]).when(deposit).then([deposited]);
 *   spec.given([closed]).when(deposit).thenThrows(AccountClosedError);
 */
export function DeciderSpecification<C, S, E extends DomainEvent>(decider: Decider<C, S, E>) {
  return {
    given(events: E[]) {
      return {
        when(command: C) {
          const run = (): E[] => {
            const state = events.reduce(decider.evolve, decider.initialState());
            return toArray(decider.decide(command, state));
          };
          return {
            then(expected: E[]): void {
              expect(run()).toEqual(expected);
            },
            thenNothingHappened(): void {
              expect(run()).toEqual([]);
            },
            thenThrows(errorType?: new (...args: any[]) => Error, check?: (error: any) => void): void {
              let thrown: unknown;
              try {
                run();
              } catch (err) {
                thrown = err;
              }
              if (thrown === undefined) throw new Error('Expected the command to be refused, but it was accepted');
              if (errorType) expect(thrown).toBeInstanceOf(errorType);
              check?.(thrown);
            },
          };
        },
      };
    },
  };
}
