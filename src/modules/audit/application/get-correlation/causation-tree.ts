/** What the causation tree needs of an event. */
export interface CausalEvent {
  eventId: string;
  causationId: string | null;
}

/** Events that share one causation id: the command, or the event, that caused them. */
export interface CausationGroup<E extends CausalEvent> {
  causationId: string | null;
  events: CausedEvent<E>[];
}

export type CausedEvent<E extends CausalEvent> = E & { caused: CausationGroup<E>[] };

/**
 * Arranges the events of one correlation by causation: B hangs under A when B.causationId is
 * A.eventId. Roots are the groups whose causation id is no event of the set (usually the id of
 * the command that started it all), in the order of their first event. Events keep their
 * order inside each group. Every event appears exactly once: should stored data ever make a
 * causation cycle (unreachable from any root), its events become extra roots rather than vanish.
 */
export function buildCausationTree<E extends CausalEvent>(events: readonly E[]): CausationGroup<E>[] {
  const ids = new Set(events.map((e) => e.eventId));
  const byCause = new Map<string | null, E[]>();
  for (const e of events) {
    const siblings = byCause.get(e.causationId);
    if (siblings) siblings.push(e);
    else byCause.set(e.causationId, [e]);
  }
  const placed = new Set<E>();
  const group = (causationId: string | null): CausationGroup<E> => ({
    causationId,
    events: (byCause.get(causationId) ?? []).flatMap((e) => (placed.has(e) ? [] : [node(e)])),
  });
  const node = (e: E): CausedEvent<E> => {
    placed.add(e);
    const children = byCause.has(e.eventId) ? group(e.eventId) : undefined;
    return { ...e, caused: children && children.events.length > 0 ? [children] : [] };
  };

  const roots: CausationGroup<E>[] = [];
  const rootCauses = new Set<string | null>();
  for (const e of events) {
    if (e.causationId !== null && ids.has(e.causationId)) continue;
    if (rootCauses.has(e.causationId)) continue;
    rootCauses.add(e.causationId);
    roots.push(group(e.causationId));
  }
  for (const e of events) {
    if (!placed.has(e)) roots.push(group(e.causationId));
  }
  return roots;
}
