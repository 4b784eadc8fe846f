import { RecordedEvent } from '@libs/event-store/event-store.types';

/**
 * A saga (process manager) is declared like a decider: pure functions from (state, event) to a
 * reaction. The runtime keeps its state row, its deadlines and its outgoing commands in one
 * transaction with the subscription checkpoint, so a crash anywhere never loses or repeats one.
 */

/** A command a saga wants sent; routed by `type` (see SagaCommandRoutes). Plain data: it waits in an outbox. */
export interface SagaCommand {
  type: string;
  data: Record<string, unknown>;
}

/** A timeout that wakes the instance later, even across restarts. Scheduling a name again moves it. */
export interface SagaDeadline {
  name: string;
  at: Date;
  data?: Record<string, unknown>;
}

export interface SagaReaction<S> {
  /** The next state; `null` completes the instance (its pending deadlines are cancelled). */
  state: S | null;
  commands?: SagaCommand[];
  schedule?: SagaDeadline[];
  /** Names of pending deadlines to cancel. */
  cancel?: string[];
}

export interface SagaEventHandler<S> {
  /** Which instance the event belongs to; null = not for this saga. */
  instanceOf(event: RecordedEvent): string | null;
  /** `state` is null when the event starts a new instance. Returning `{ state: null }` for it ignores the event. */
  react(state: S | null, event: RecordedEvent): SagaReaction<S>;
}

export interface DueDeadline {
  id: string;
  name: string;
  dueAt: Date;
  data: Record<string, unknown>;
}

export interface SagaDefinition<S = unknown> {
  /** Stable name: the subscription is `saga:<name>`. */
  name: string;
  on: Record<string, SagaEventHandler<S>>;
  /** `now` is when the deadline is processed (never read a clock inside). */
  onDeadline?(state: S, deadline: DueDeadline, now: Date): SagaReaction<S>;
  /**
   * Commands dispatched at once (default 1: one after another, in the order they were sent).
   * More only when every pending command of the saga may run beside the others (e.g. batches of
   * a run, each its own stream): the saga itself decides how many it sends at a time.
   */
  commandConcurrency?: number;
}

export function defineSaga<S>(definition: SagaDefinition<S>): SagaDefinition<S> {
  if (!/^[a-z][\w.-]*$/.test(definition.name)) throw new Error(`Saga name "${definition.name}" must be a stable lower-case name`);
  const lanes = definition.commandConcurrency;
  if (lanes !== undefined && (!Number.isInteger(lanes) || lanes < 1)) throw new Error(`Saga ${definition.name}: commandConcurrency must be a positive integer`);
  return definition;
}

export const sagaSubscriptionName = (saga: string) => `saga:${saga}`;
