/**
 * Word-level tokens with their offsets: runs of letters/digits (any script) and single
 * punctuation or symbol characters. Chunking cuts on these boundaries, and the offline
 * engine counts them as its "tokens" (roughly 1.3 per English word for OpenAI's tokenizers).
 */
export interface TextToken {
  start: number;
  end: number;
}

/**
 * At most 8 inner apostrophes per word ("rock'n'roll" has 2): an unbounded `(...)*` keeps a
 * backtrack entry per repetition, and 4 million "a'" overflow the regexp stack (RangeError).
 */
const TOKEN = /[\p{L}\p{N}_]+(?:['’][\p{L}]+){0,8}|[^\s\p{L}\p{N}_]/gu;

export function tokenSpans(text: string): TextToken[] {
  const out: TextToken[] = [];
  for (const m of text.matchAll(TOKEN)) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

export function countTokens(text: string): number {
  let n = 0;
  for (const _ of text.matchAll(TOKEN)) n++;
  return n;
}
