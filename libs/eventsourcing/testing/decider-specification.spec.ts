import { CounterLimitReached, counterDecider, CounterEvent } from '@test/support/fixtures/counter.module';
import { DeciderSpecification } from './decider-specification';

const now = new Date('2026-11-25T10:00:00Z');
const incremented = (by: number): CounterEvent => ({ type: 'test.counter-incremented', data: { by, at: now.toISOString() } });

describe('DeciderSpecification (given / when / then on a pure decider)', () => {
  const spec = DeciderSpecification(counterDecider);

  it('then: the events a command causes from a given history', () => {
    spec.given([incremented(10), incremented(20)]).when({ by: 5, now }).then([incremented(5)]);
  });

  it('thenThrows: a business rule refuses the command', () => {
    spec
      .given([incremented(50), incremented(50)])
      .when({ by: 1, now })
      .thenThrows(CounterLimitReached, (e) => expect(e.details).toEqual({ total: 100 }));
  });

  it('fails when the decider does something else than expected (the helper can fail)', () => {
    expect(() => spec.given([]).when({ by: 5, now }).then([incremented(6)])).toThrow();
    expect(() => spec.given([]).when({ by: 5, now }).thenThrows()).toThrow(/accepted/);
    expect(() => spec.given([]).when({ by: 5, now }).thenNothingHappened()).toThrow();
  });
});
