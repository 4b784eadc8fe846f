import { buildCausationTree, CausationGroup, CausalEvent } from './causation-tree';

const ev = (eventId: string, causationId: string | null): CausalEvent => ({ eventId, causationId });

/** The tree as nested ids, to compare shapes at a glance. */
function shape(groups: CausationGroup<CausalEvent>[]): unknown {
  return groups.map((g) => ({ [String(g.causationId)]: g.events.map((e) => (e.caused.length ? { [e.eventId]: shape(e.caused) } : e.eventId)) }));
}

describe('buildCausationTree', () => {
  it('hangs each event under the event it was caused by; roots are the outside causes', () => {
    const events = [ev('a', 'cmd-1'), ev('b', 'a'), ev('c', 'b'), ev('d', 'a'), ev('x', 'cmd-2'), ev('e', 'cmd-1')];
    expect(shape(buildCausationTree(events))).toEqual([
      { 'cmd-1': [{ a: [{ a: [{ b: [{ b: ['c'] }] }, 'd'] }] }, 'e'] },
      { 'cmd-2': ['x'] },
    ]);
  });

  it('groups events without a causation id under a null root', () => {
    expect(shape(buildCausationTree([ev('a', null), ev('b', null), ev('c', 'a')]))).toEqual([
      { null: [{ a: [{ a: ['c'] }] }, 'b'] },
    ]);
  });

  it('keeps every event exactly once even when stored data forms a causation cycle', () => {
    const tree = buildCausationTree([ev('r', 'cmd'), ev('p', 'q'), ev('q', 'p'), ev('s', 's')]);
    const seen: string[] = [];
    const walk = (groups: CausationGroup<CausalEvent>[]): void =>
      groups.forEach((g) => g.events.forEach((e) => (seen.push(e.eventId), walk(e.caused))));
    walk(tree);
    expect(seen.sort()).toEqual(['p', 'q', 'r', 's']);
  });

  it('answers no roots for no events', () => {
    expect(buildCausationTree([])).toEqual([]);
  });
});
