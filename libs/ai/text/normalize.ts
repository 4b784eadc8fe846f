import { stem } from './stemmer';
import { STOP_WORDS } from './stop-words';

const COMBINING_MARKS = /[\u0300-\u036f]/g;
const APOSTROPHES = /['’]/g;

/** Lower case without diacritics or apostrophes: "Café", "cafe" and "CAFE" meet; "don't" -> "dont". */
export function normalizeWord(word: string): string {
  const lower = word.toLowerCase();
  // Most words are plain ASCII: skip the NFD pass for them.
  // eslint-disable-next-line no-control-regex
  const plain = /^[\x00-\x7f]*$/.test(lower) ? lower : lower.normalize('NFD').replace(COMBINING_MARKS, '');
  return plain.includes("'") || plain.includes('’') ? plain.replace(APOSTROPHES, '') : plain;
}

/** One word of a text as the offline engine sees it. */
export interface AnalyzedWord {
  /** The word in lower case, as written (diacritics kept), for display. */
  surface: string;
  /** Stem of the normalised word: what terms are compared by. */
  stem: string;
  stop: boolean;
  /** Offset in the analysed text. */
  start: number;
  end: number;
}

/**
 * Words (letters/digits, up to 8 inner apostrophes) and single punctuation marks, in order. The
 * bound keeps the regexp's backtrack stack small: unbounded, a run of "a'a'a'..." overflows it.
 */
const WORD_OR_MARK = /([\p{L}\p{N}]+(?:['’][\p{L}]+){0,8})|[^\s\p{L}\p{N}]/gu;

/** Words, or `null` for a punctuation mark (a phrase boundary for keyphrases). */
export function analyzeWords(text: string): (AnalyzedWord | null)[] {
  const out: (AnalyzedWord | null)[] = [];
  for (const m of text.matchAll(WORD_OR_MARK)) {
    if (m[1] === undefined) {
      // Hyphens and slashes join words ("follow-up", "CI/CD"), they do not end a phrase.
      if (m[0] !== '-' && m[0] !== '/' && m[0] !== '_') out.push(null);
      continue;
    }
    const normal = normalizeWord(m[1]);
    out.push({ surface: m[1].toLowerCase(), stem: stem(normal), stop: STOP_WORDS.has(normal) || isNoise(normal), start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Stems of the meaningful words (no stop words, no single characters), in order. */
export function contentStems(text: string): string[] {
  const out: string[] = [];
  for (const w of analyzeWords(text)) if (w && !w.stop) out.push(w.stem);
  return out;
}

/** Single characters and one- or two-digit numbers carry no topic (years and codes like 404 do). */
function isNoise(normal: string): boolean {
  return normal.length < 2 || /^\d{1,2}$/.test(normal);
}
