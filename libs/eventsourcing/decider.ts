/**
 * A decider (emmett style): three pure functions. `decide` returns the events a command
 * causes, or throws a typed ApplicationError when a business rule refuses it; `evolve`
 * folds one event into the state. No Nest, database, clock or randomness: time and ids
 * come in through the command.
 */
export interface DomainEvent<TType extends string = string, TData = unknown> {
  type: TType;
  data: TData;
}

export interface Decider<TCommand, TState, TEvent extends DomainEvent> {
  initialState: () => TState;
  evolve: (state: TState, event: TEvent) => TState;
  decide: (command: TCommand, state: TState) => TEvent | TEvent[];
}

export function toArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** Fails the compile when a switch over a union misses a case. */
export function assertNever(value: never, message = 'Unhandled case'): never {
  throw new Error(`${message}: ${JSON.stringify(value)}`);
}
