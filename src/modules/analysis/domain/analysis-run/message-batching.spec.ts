import { batchByTokenBudget, prefilterNoise } from './message-batching';

describe('prefilter and batching', () => {
  it('drops noise and spam only; unclassified, low-quality and signal messages are read', () => {
    const { kept, droppedByLabel } = prefilterNoise([
      { id: 'a', noiseClassification: 'noise' },
      { id: 'b', noiseClassification: 'spam' },
      { id: 'c', noiseClassification: null },
      { id: 'd', noiseClassification: 'low_quality' },
      { id: 'e', noiseClassification: 'signal' },
      { id: 'f', noiseClassification: 'noise' },
    ]);
    expect(kept.map((m) => m.id)).toEqual(['c', 'd', 'e']);
    expect(droppedByLabel).toEqual({ noise: 2, spam: 1 });
  });

  it('fills batches up to the token budget in order; a message over the budget is a batch of its own', () => {
    const m = (id: string, tokens: number, threadId: string | null = null) => ({ id, tokens, threadId });
    const batches = batchByTokenBudget([m('1', 40), m('2', 40), m('3', 40), m('4', 500), m('5', 10)], 100);
    expect(batches.map((b) => b.messageIds)).toEqual([['1', '2'], ['3'], ['4'], ['5']]);
    expect(batches.map((b) => b.estimatedTokens)).toEqual([80, 40, 500, 10]);
  });

  it('keeps a thread in the batch where it started while it fits', () => {
    const m = (id: string, tokens: number, threadId: string | null = null) => ({ id, tokens, threadId });
    const batches = batchByTokenBudget([m('t1', 30, 'A'), m('x', 60), m('y', 60), m('t2', 10, 'A')], 100);
    expect(batches.map((b) => b.messageIds)).toEqual([['t1', 'x', 't2'], ['y']]);
  });

  it('caps the messages per batch and refuses a budget of nothing', () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ id: String(i), tokens: 1, threadId: null }));
    expect(batchByTokenBudget(many, 1000, 2).map((b) => b.messageIds.length)).toEqual([2, 2, 1]);
    expect(() => batchByTokenBudget(many, 0)).toThrow(RangeError);
    expect(batchByTokenBudget([], 100)).toEqual([]);
  });
});
