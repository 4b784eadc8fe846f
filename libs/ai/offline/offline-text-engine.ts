import { analyzeWords, AnalyzedWord, contentStems } from '@libs/ai/text/normalize';
import { stem } from '@libs/ai/text/stemmer';

/** A passage an answer may rest on (an LlmDocument fits). */
export interface ExtractiveDocument {
  text: string;
  title?: string;
}

export interface ExtractiveAnswer {
  /** The chosen sentences, each followed by its source as [n] (n = 1-based document position). */
  text: string;
  /** 1-based document positions, in order of first citation. */
  citations: number[];
  /** false when no sentence of the documents shares a meaningful term with the question. */
  grounded: boolean;
}

export interface RankedKeyphrase {
  phrase: string;
  score: number;
}

export interface ExtractiveAnswerOptions {
  /** Most sentences in an answer (default 3). */
  maxSentences?: number;
}

// Only abbreviations that rarely end a sentence ("Inc." and "etc." often do).
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'vs', 'eg', 'ie', 'approx', 'dept', 'fig', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec']);

/**
 * Everyday verbs, adjectives and time words that end a keyphrase as stop words do (keyphrases
 * are only as good as their stop list): "the dashboard looks nice" -> "dashboard", not "dashboard looks nice".
 * Compared as stems, so "looks" / "looking" / "looked" all match "look".
 */
const KEYPHRASE_BREAKS = new Set(
  `want need look seem think know say said tell ask go going come get got make take give put see try use help let keep
  start finish work thing stuff lot bit way time day week month year today tomorrow yesterday last next new old good bad
  great nice fine sure thank able actually probably maybe still already even back first second one two three`
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => stem(w)),
);

/** How much an earlier user turn's terms count next to the question's own (follow-up questions). */
const HISTORY_TERM_WEIGHT = 0.35;
/** A further sentence joins the answer only when it scores at least this share of the best one. */
const FOLLOW_UP_SENTENCE_RATIO = 0.5;
/** ...or this share when it matches a question term the chosen sentences do not. */
const NEW_TERM_SENTENCE_RATIO = 0.2;
const MAX_KEYPHRASE_WORDS = 4;

export const NOT_FOUND_ANSWER = 'I could not find an answer to that in the provided messages.';

/**
 * The built-in language engine: classic extractive NLP, no model and no network, deterministic.
 * It never writes a sentence of its own beyond the fixed "could not find" reply: answers and
 * summaries are sentences taken from the input, so it cannot invent facts.
 */
export class OfflineTextEngine {
  /**
   * Sentences in order: every non-empty line is split after . ! ? … followed by a space,
   * except after common abbreviations ("e.g.", "Dr.") and single initials ("J. Smith").
   */
  sentences(text: string): string[] {
    const out: string[] = [];
    for (const line of text.split(/\r?\n/)) {
      let start = 0;
      const boundary = /[.!?…]+["'”’)\]]*(?=\s+\S)/g;
      for (let m = boundary.exec(line); m; m = boundary.exec(line)) {
        const end = m.index + m[0].length;
        if (m[0][0] === '.' && m[0].length === 1 && isAbbreviationBefore(line, m.index)) continue;
        pushTrimmed(out, line.slice(start, end));
        start = end;
      }
      pushTrimmed(out, line.slice(start));
    }
    return out;
  }

  /**
   * The `n` best keyphrases: candidates are the runs of up to four content words between stop
   * words and punctuation, and every shorter phrase inside them; a phrase scores by how often
   * it occurs (and, for several texts, in how many), times how frequent its words are, gently
   * favouring longer phrases. A phrase that overlaps a better one and adds at most one word to it
   * is left out unless it occurs more often. Lower-case, in first-seen spelling, best first.
   */
  keyphrases(input: string | string[], n = 10): string[] {
    return this.rankedKeyphrases(input, n).map((k) => k.phrase);
  }

  rankedKeyphrases(input: string | string[], n = 10): RankedKeyphrase[] {
    const texts = typeof input === 'string' ? [input] : input;
    interface Candidate {
      surface: string;
      stems: Set<string>;
      length: number;
      count: number;
      docs: Set<number>;
      score: number;
    }
    const candidates = new Map<string, Candidate>();
    const wordFreq = new Map<string, number>();
    texts.forEach((text, doc) => {
      for (const sentence of this.sentences(text)) {
        for (const run of contentRuns(analyzeWords(sentence))) {
          for (const w of run) wordFreq.set(w.stem, (wordFreq.get(w.stem) ?? 0) + 1);
          for (let from = 0; from < run.length; from++) {
            for (let to = from + 1; to <= Math.min(run.length, from + MAX_KEYPHRASE_WORDS); to++) {
              const words = run.slice(from, to);
              // "failed invoices" and "invoices fail" are one keyphrase, spelled as first seen.
              const key = words.map((w) => w.stem).sort().join(' ');
              const c = candidates.get(key) ?? { surface: words.map((w) => w.surface).join(' '), stems: new Set(words.map((w) => w.stem)), length: words.length, count: 0, docs: new Set<number>(), score: 0 };
              c.count++;
              c.docs.add(doc);
              candidates.set(key, c);
            }
          }
        }
      }
    });
    for (const c of candidates.values()) {
      let words = 0;
      for (const s of c.stems) words += Math.log(1 + wordFreq.get(s)!);
      c.score = (1 + Math.log(c.count)) * (1 + Math.log(c.docs.size)) * (words / Math.sqrt(c.length));
    }
    const ranked = [...candidates.values()].sort((a, b) => b.score - a.score || b.length - a.length || (a.surface < b.surface ? -1 : a.surface > b.surface ? 1 : 0));
    const chosen: Candidate[] = [];
    for (const c of ranked) {
      if (chosen.length >= n) break;
      // At most one word away from a chosen phrase it overlaps, and not seen more often:
      // "smtp relay" after "missing smtp relay", "slack export fixed" or "export fixed" after "slack export".
      const redundant = chosen.some((k) => c.count <= k.count && overlaps(c.stems, k.stems) && wordsOutside(c.stems, k.stems) <= 1);
      if (!redundant) chosen.push(c);
    }
    return chosen.map((c) => ({ phrase: c.surface, score: c.score }));
  }

  /**
   * The `maxSentences` most central sentences (degree centrality over term-overlap cosine, a
   * small LexRank), in their original order. A text that short is returned as its sentences.
   */
  summarize(text: string, maxSentences = 3): string {
    const sentences = this.sentences(text);
    if (sentences.length <= maxSentences) return sentences.join(' ');
    if (maxSentences <= 0) return '';
    const bags = sentences.map((s) => termBag(contentStems(s)));
    const idf = inverseFrequencies(bags);
    const vectors = bags.map((bag) => weigh(bag, idf));
    const centrality = vectors.map((v, i) => {
      let sum = 0;
      for (let j = 0; j < vectors.length; j++) if (j !== i) sum += cosine(v, vectors[j]);
      // A sentence of one or two content words is rarely the gist; earlier sentences win ties.
      return sum * Math.min(1, bags[i].size / 3) + 1e-6 * (sentences.length - i);
    });
    const chosen = centrality
      .map((score, index) => ({ score, index }))
      .sort((a, b) => b.score - a.score)
      .slice(0, maxSentences)
      .sort((a, b) => a.index - b.index);
    return chosen.map((c) => sentences[c.index]).join(' ');
  }

  /**
   * Answers `question` with sentences of `documents` that share the most (idf-weighted) stems
   * with it, each cited as [n]. `history` (earlier user turns, oldest first) lends its terms a
   * little weight, or stands in for a question without content words ("and why?"). When no
   * sentence shares a question term, the answer is the fixed "could not find" text with
   * `grounded: false` and no citations.
   */
  extractiveAnswer(question: string, documents: ExtractiveDocument[], history: string[] = [], options: ExtractiveAnswerOptions = {}): ExtractiveAnswer {
    const maxSentences = options.maxSentences ?? 3;
    const query = queryTerms(question, history);
    if (query.size === 0 || documents.length === 0) return notFound();

    interface Candidate {
      doc: number;
      order: number;
      text: string;
      stems: Set<string>;
      length: number;
      score: number;
    }
    const candidates: Candidate[] = [];
    documents.forEach((d, doc) => {
      this.sentences(d.text).forEach((text, order) => {
        const stems = contentStems(text);
        candidates.push({ doc, order, text, stems: new Set(stems), length: stems.length, score: 0 });
      });
    });
    const idf = inverseFrequencies(candidates.map((c) => c.stems));
    let queryMass = 0;
    for (const [term, weight] of query) queryMass += weight * (idf.get(term) ?? Math.log(1 + candidates.length));

    const eligible: Candidate[] = [];
    for (const c of candidates) {
      let matched = 0;
      let primary = false;
      for (const [term, weight] of query) {
        if (!c.stems.has(term)) continue;
        matched += weight * idf.get(term)!;
        if (weight >= 1) primary = true;
      }
      if (!primary) continue;
      // Coverage of the question, mildly preferring the shorter of two sentences that cover as much.
      c.score = matched / queryMass / (1 + 0.05 * Math.log(1 + c.length));
      eligible.push(c);
    }
    if (eligible.length === 0) return notFound();

    eligible.sort((a, b) => b.score - a.score || a.doc - b.doc || a.order - b.order);
    const best = eligible[0];
    const chosen: Candidate[] = [best];
    const covered = new Set([...query.keys()].filter((t) => best.stems.has(t)));
    for (const c of eligible.slice(1)) {
      if (chosen.length >= maxSentences) break;
      if (chosen.some((s) => s.text === c.text || jaccard(s.stems, c.stems) > 0.6)) continue;
      // A further sentence either says more about the best one's terms, or answers a part of the
      // question the chosen ones leave open ("the CSV export and the invoices").
      const opensNewTerm = [...query].some(([t, w]) => w >= 1 && c.stems.has(t) && !covered.has(t));
      if (c.score < best.score * (opensNewTerm ? NEW_TERM_SENTENCE_RATIO : FOLLOW_UP_SENTENCE_RATIO)) continue;
      chosen.push(c);
      for (const t of query.keys()) if (c.stems.has(t)) covered.add(t);
    }
    const citations: number[] = [];
    const parts = chosen.map((c) => {
      if (!citations.includes(c.doc + 1)) citations.push(c.doc + 1);
      return `${c.text} [${c.doc + 1}]`;
    });
    return { text: parts.join(' '), citations, grounded: true };
  }
}

function notFound(): ExtractiveAnswer {
  return { text: NOT_FOUND_ANSWER, citations: [], grounded: false };
}

/** The question's stems at weight 1, earlier turns' at HISTORY_TERM_WEIGHT (or 1 if the question has none). */
function queryTerms(question: string, history: string[]): Map<string, number> {
  const terms = new Map<string, number>();
  for (const s of contentStems(question)) terms.set(s, 1);
  const historyWeight = terms.size === 0 ? 1 : HISTORY_TERM_WEIGHT;
  for (const turn of history) for (const s of contentStems(turn)) if (!terms.has(s)) terms.set(s, historyWeight);
  return terms;
}

function contentRuns(words: (AnalyzedWord | null)[]): AnalyzedWord[][] {
  const runs: AnalyzedWord[][] = [];
  let run: AnalyzedWord[] = [];
  for (const w of words) {
    if (w && !w.stop && !KEYPHRASE_BREAKS.has(w.stem)) {
      run.push(w);
      continue;
    }
    if (run.length) runs.push(run);
    run = [];
  }
  if (run.length) runs.push(run);
  return runs;
}

function termBag(stems: string[]): Map<string, number> {
  const bag = new Map<string, number>();
  for (const s of stems) bag.set(s, (bag.get(s) ?? 0) + 1);
  return bag;
}

/** ln(1 + N / df) over a set of units (sentences). */
function inverseFrequencies(units: { keys(): Iterable<string> }[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const u of units) for (const t of new Set(u.keys())) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = new Map<string, number>();
  for (const [t, n] of df) idf.set(t, Math.log(1 + units.length / n));
  return idf;
}

function weigh(bag: Map<string, number>, idf: Map<string, number>): Map<string, number> {
  const v = new Map<string, number>();
  for (const [t, tf] of bag) v.set(t, (1 + Math.log(tf)) * (idf.get(t) ?? 0));
  return v;
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [t, x] of a) {
    na += x * x;
    const y = b.get(t);
    if (y !== undefined) dot += x * y;
  }
  for (const y of b.values()) nb += y * y;
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function overlaps(a: Set<string>, b: Set<string>): boolean {
  for (const t of a) if (b.has(t)) return true;
  return false;
}

function wordsOutside(a: Set<string>, b: Set<string>): number {
  let n = 0;
  for (const t of a) if (!b.has(t)) n++;
  return n;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let both = 0;
  for (const t of a) if (b.has(t)) both++;
  return both / (a.size + b.size - both);
}

function isAbbreviationBefore(line: string, dot: number): boolean {
  const m = /([\p{L}.]+)$/u.exec(line.slice(Math.max(0, dot - 12), dot));
  if (!m) return false;
  const word = m[1].replace(/\./g, '').toLowerCase();
  return word.length === 1 || ABBREVIATIONS.has(word);
}

function pushTrimmed(out: string[], s: string): void {
  const t = s.trim();
  if (t) out.push(t);
}
