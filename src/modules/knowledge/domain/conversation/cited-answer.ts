/** What Ask answers when nothing in the workspace supports an answer: said plainly, never invented. */
export const NO_ANSWER = "I could not find anything about that in this workspace's conversations.";

/** A bracketed group of small numbers, `[2]` or `[1, 3]`: a citation. Larger numbers (`[2024]`) are left as written. */
const MARKER_GROUP = /\[(\d{1,2}(?:\s*,\s*\d{1,2})*)\]/g;

export interface CitedAnswer {
  /** The answer with its markers renumbered 1..k in order of first appearance. */
  text: string;
  /** positions[k - 1] is the 1-based document position that [k] now cites. */
  positions: number[];
}

/**
 * Renumbers the [n] markers of a model's answer over `documentCount` documents so that the
 * answer's numbers are exactly the citation list's (1..k, in reading order). Markers outside
 * the documents are dropped, not shown pointing at nothing. Null when the answer cites no
 * document: an uncited answer is not grounded in the workspace and is not shown.
 */
export function renumberCitations(answer: string, documentCount: number): CitedAnswer | null {
  const positions: number[] = [];
  const numberOf = new Map<number, number>();
  for (const m of answer.matchAll(MARKER_GROUP)) {
    for (const p of m[1].split(',').map((n) => Number(n.trim()))) {
      if (p >= 1 && p <= documentCount && !numberOf.has(p)) {
        positions.push(p);
        numberOf.set(p, positions.length);
      }
    }
  }
  if (positions.length === 0) return null;
  // A dropped marker takes the space before it along, so no "word ." is left behind.
  const text = answer
    .replace(new RegExp(`([ \\t]*)${MARKER_GROUP.source}`, 'g'), (_group, space: string, inner: string) => {
      const kept = [...new Set(inner.split(',').map((n) => numberOf.get(Number(n.trim()))).filter((k): k is number => k !== undefined))];
      return kept.length ? `${space}[${kept.join(', ')}]` : '';
    })
    .trim();
  return { text, positions };
}
