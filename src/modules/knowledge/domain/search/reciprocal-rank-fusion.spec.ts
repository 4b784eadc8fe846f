import { reciprocalRankFusion, RRF_K } from './reciprocal-rank-fusion';

describe('reciprocalRankFusion', () => {
  it('puts what both retrievers found above what only one found near the top', () => {
    const fused = reciprocalRankFusion([
      ['a', 'b', 'c'],
      ['d', 'c', 'a'],
    ]);
    expect(fused.map((f) => f.id)).toEqual(['a', 'c', 'd', 'b']);
    expect(fused[0]).toEqual({ id: 'a', score: 1 / (RRF_K + 1) + 1 / (RRF_K + 3), ranks: [1, 3] });
    expect(fused.find((f) => f.id === 'b')!.ranks).toEqual([2, null]);
  });

  it('breaks ties by the best single rank, then by the earlier list', () => {
    expect(reciprocalRankFusion([['x', 'y'], ['y', 'x']]).map((f) => f.id)).toEqual(['x', 'y']);
    expect(reciprocalRankFusion([['p'], ['q']]).map((f) => f.id)).toEqual(['p', 'q']);
  });

  it('counts an id once per list and handles empty lists', () => {
    expect(reciprocalRankFusion([['a', 'a', 'b'], []])).toEqual([
      { id: 'a', score: 1 / (RRF_K + 1), ranks: [1, null] },
      { id: 'b', score: 1 / (RRF_K + 3), ranks: [3, null] },
    ]);
    expect(reciprocalRankFusion([[], []])).toEqual([]);
  });
});
