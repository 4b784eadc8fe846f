/** The usual RRF constant (Cormack et al., 2009): damps the weight of the very first ranks. */
export const RRF_K = 60;

export interface FusedRank {
  id: string;
  score: number;
  /** 1-based rank of the id in each input list, null when that list did not have it. */
  ranks: (number | null)[];
}

/**
 * Reciprocal rank fusion: each list gives an id 1 / (k + rank); ids are ordered by the sum.
 * Scale-free, so a cosine similarity and a ts_rank_cd never have to be made comparable. Ties
 * go to the id ranked best in any list, then to the earlier list.
 */
export function reciprocalRankFusion(lists: string[][], k = RRF_K): FusedRank[] {
  const fused = new Map<string, FusedRank>();
  lists.forEach((list, l) => {
    const seen = new Set<string>();
    list.forEach((id, i) => {
      if (seen.has(id)) return;
      seen.add(id);
      let entry = fused.get(id);
      if (!entry) {
        entry = { id, score: 0, ranks: lists.map(() => null) };
        fused.set(id, entry);
      }
      entry.ranks[l] = i + 1;
      entry.score += 1 / (k + i + 1);
    });
  });
  const best = (f: FusedRank) => Math.min(...f.ranks.map((r) => r ?? Infinity));
  const firstList = (f: FusedRank) => f.ranks.findIndex((r) => r !== null);
  return [...fused.values()].sort((a, b) => b.score - a.score || best(a) - best(b) || firstList(a) - firstList(b));
}
