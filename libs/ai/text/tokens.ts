/**
 * Word-level tokens with their offsets: runs of letters/digits (any script) and single
 * punctuation or symbol characters. Chunking cuts on these boundaries, and the offline
 * engine counts them as its "tokens" (roughly 1.3 per English word for OpenAI's tokenizers).
 */
export interface TextToken {
  start: number;
  end: number;
}

const TOKEN = /[\p{L}\p{N}_]+(?:['’][\p{L}]+)*|[^\s\p{L}\p{N}_]/gu;

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
