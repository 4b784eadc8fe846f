import { createHash } from 'node:crypto';
import { tokenSpans } from '@libs/ai/text/tokens';

export interface ChunkingOptions {
  /** Most tokens in one chunk (KNOWLEDGE_CHUNK_TOKENS). */
  maxTokens: number;
  /** Tokens a chunk repeats from the end of the one before (KNOWLEDGE_CHUNK_OVERLAP). */
  overlap: number;
}

export interface TextChunk {
  index: number;
  /** What is stored, searched and embedded: the slice, after the title for the first chunk. */
  text: string;
  /** The slice of the message content: content.slice(start, end). */
  start: number;
  end: number;
  /** Tokens of `text`, as the chunker counts them (see tokenSpansForChunking). */
  tokens: number;
  /** sha256 of the normalised text: identical chunks share it (and their embedding). */
  hash: string;
}

/**
 * A token longer than this many characters is counted (and may be cut) as several: a base64
 * blob or a URL-encoded payload is one "word" to tokenSpans but thousands of tokens to an
 * embedding model, and one chunk of it must still fit the model's input.
 */
export const LONG_TOKEN_CHARS = 24;
/** Scripts written without spaces: every character counts as a token. */
const UNSPACED_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
/** A boundary is looked for in the last quarter of a window. */
const BOUNDARY_SEARCH = 0.25;
const SENTENCE_END = /^[.!?。！？…]$/u;
const TITLE_SEPARATOR = '\n\n';

interface Span {
  start: number;
  end: number;
}

/**
 * tokenSpans, with over-long tokens and runs of unspaced scripts cut into pieces (by code
 * point, so no surrogate pair is split).
 */
export function tokenSpansForChunking(text: string): Span[] {
  const out: Span[] = [];
  for (const t of tokenSpans(text)) {
    const word = text.slice(t.start, t.end);
    const limit = UNSPACED_SCRIPT.test(word) ? 1 : LONG_TOKEN_CHARS;
    if (word.length <= limit) {
      out.push(t);
      continue;
    }
    let at = t.start;
    let count = 0;
    let pieceStart = t.start;
    for (const ch of word) {
      if (count === limit) {
        out.push({ start: pieceStart, end: at });
        pieceStart = at;
        count = 0;
      }
      at += ch.length;
      count++;
    }
    out.push({ start: pieceStart, end: at });
  }
  return out;
}

export function countChunkTokens(text: string): number {
  return tokenSpansForChunking(text).length;
}

/** What identical means for chunks: Unicode-compatible forms and runs of whitespace do not count. */
export function normaliseChunkText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

export function chunkTextHash(text: string): string {
  return createHash('sha256').update(normaliseChunkText(text)).digest('hex');
}

/** How good a cut after token k is: a paragraph beats a sentence beats a line beats a word. */
function boundaryStrength(content: string, spans: Span[], k: number): number {
  const gap = content.slice(spans[k].end, spans[k + 1].start);
  if (/\n[^\S\n]*\n/.test(gap)) return 4;
  const last = content.slice(spans[k].start, spans[k].end);
  if (SENTENCE_END.test(last) && (gap.length > 0 || /[。！？]/u.test(last))) return 3;
  if (gap.includes('\n')) return 2;
  if (/[;:,)\]]$/.test(last) && gap.length > 0) return 1;
  return 0;
}

/**
 * Cuts a message into chunks of at most `maxTokens` tokens that overlap by `overlap` tokens.
 * Chunks are slices of the content (offsets kept); a window ends at the strongest boundary
 * (paragraph, sentence, line) in its last quarter when there is one, and the next window starts
 * `overlap` tokens earlier, moved forward to a sentence start when one is in the overlap.
 * Short messages are one chunk; content without a single token is no chunk (unless a title
 * stands alone). A title (email subject, call title) opens the first chunk's text.
 */
export function chunkMessage(content: string, title: string | null | undefined, options: ChunkingOptions): TextChunk[] {
  const maxTokens = Math.max(1, Math.floor(options.maxTokens));
  const overlap = Math.max(0, Math.min(Math.floor(options.overlap), maxTokens - 1));
  // The title shares the first window, but never takes more than half of it.
  const heading = title ? headingOf(title, Math.max(1, Math.floor(maxTokens / 2))) : null;
  const headingTokens = heading ? countChunkTokens(heading) : 0;
  const spans = tokenSpansForChunking(content);
  if (spans.length === 0) {
    return heading ? [makeChunk(0, heading, 0, 0, headingTokens)] : [];
  }

  const windows: Span[] = [];
  let i = 0;
  while (i < spans.length) {
    const budget = windows.length === 0 ? maxTokens - headingTokens : maxTokens;
    let last = Math.min(i + budget, spans.length) - 1;
    if (last < spans.length - 1) last = bestCut(content, spans, i, last, overlap);
    windows.push({ start: i, end: last });
    if (last === spans.length - 1) break;
    i = nextStart(content, spans, i, last, overlap);
  }

  return windows.map((w, index) => {
    const start = spans[w.start].start;
    const end = spans[w.end].end;
    const slice = content.slice(start, end);
    const sliceTokens = w.end - w.start + 1;
    if (index === 0 && heading) return makeChunk(0, `${heading}${TITLE_SEPARATOR}${slice}`, start, end, sliceTokens + headingTokens);
    return makeChunk(index, slice, start, end, sliceTokens);
  });
}

/** The title on one line, cut after `maxTokens` tokens; null when it has none. */
function headingOf(title: string, maxTokens: number): string | null {
  const spans = tokenSpansForChunking(title);
  if (spans.length === 0) return null;
  const cut = spans[Math.min(spans.length, maxTokens) - 1].end;
  return title.slice(spans[0].start, cut).replace(/\s+/gu, ' ');
}

/** The last token of a window ending at `last` at the latest: the strongest boundary in its last quarter. */
function bestCut(content: string, spans: Span[], first: number, last: number, overlap: number): number {
  const size = last - first + 1;
  // Never so early that the next window (starting `overlap` tokens back) would not move forward.
  const earliest = Math.max(first + overlap, last - Math.floor(size * BOUNDARY_SEARCH));
  let best = last;
  let bestStrength = 0;
  for (let k = last; k >= earliest; k--) {
    const s = boundaryStrength(content, spans, k);
    if (s > bestStrength) {
      best = k;
      bestStrength = s;
      if (s === 4) break;
    }
  }
  return best;
}

function nextStart(content: string, spans: Span[], first: number, last: number, overlap: number): number {
  const from = Math.max(first + 1, last + 1 - overlap);
  // A sentence start inside the overlap makes a cleaner beginning (the earliest keeps most context).
  for (let k = from; k <= last; k++) if (k > 0 && boundaryStrength(content, spans, k - 1) >= 3) return k;
  return from;
}

function makeChunk(index: number, text: string, start: number, end: number, tokens: number): TextChunk {
  return { index, text, start, end, tokens, hash: chunkTextHash(text) };
}
