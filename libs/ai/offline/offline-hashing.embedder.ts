import { AiCallContext } from '@libs/ai/ai-call';
import { EmbeddingAdapter, EmbeddingResult, l2Normalize } from '@libs/ai/embedder';
import { fnv1a, FNV_PRIME, mix32 } from '@libs/ai/text/hash';
import { stem } from '@libs/ai/text/stemmer';
import { STOP_WORDS } from '@libs/ai/text/stop-words';
import { countTokens } from '@libs/ai/text/tokens';

export const OFFLINE_EMBEDDING_MODEL = 'offline-hashing-v1';
export const OFFLINE_EMBEDDING_DIMENSION = 384;

/**
 * How much each feature family counts. Stems carry the topic; word pairs add a little word
 * order and phrase sense; character n-grams (split over a word's grams, so a long word does
 * not outweigh a short one) catch typos, compounds and what the stemmer misses; stop words
 * barely count, or any two English texts would look alike.
 */
const WEIGHT = { word: 1.0, stopWord: 0.08, pair: 0.6, charGrams: 0.7 } as const;

// Each family hashes into the same vector from its own seed, so "data" the word and "data" a
// pair half do not collide by construction.
const SEED = { word: fnv1a('offline-hashing-v1/word'), pair: fnv1a('offline-hashing-v1/pair'), gram: fnv1a('offline-hashing-v1/gram'), empty: fnv1a('offline-hashing-v1/empty') } as const;

const MAX_GRAM_WORD_LENGTH = 32;
/** Distinct words remembered with their hashed features; cleared when full (bounded memory). */
const FEATURE_CACHE_LIMIT = 100_000;

interface WordFeatures {
  stop: boolean;
  stemHash: number;
  /** Signed bucket: +(index + 1) or -(index + 1). */
  wordSlot: number;
  grams: Int32Array;
  gramWeight: number;
}

/**
 * The built-in embedder (`offline-hashing-v1`): no model, no network. A text becomes signed
 * feature hashes of its word stems, adjacent content-word pairs and character 3-5-grams, each
 * weighted by sublinear term frequency (1 + ln tf) and its family's weight, L2-normalised.
 * Texts that share stems and spellings land close (cosine); the vector of a text is the same
 * in every process and on every machine (FNV-1a + murmur3 finaliser, no runtime seed).
 *
 * Speed matters (a backfill embeds every message): each distinct word's features are hashed
 * once and cached, so a text costs a scan of its characters and a few map lookups per word.
 */
export class OfflineHashingEmbedder extends EmbeddingAdapter {
  readonly provider = 'offline';
  readonly model = OFFLINE_EMBEDDING_MODEL;
  private readonly cache = new Map<string, WordFeatures>();

  constructor(readonly dimension: number = OFFLINE_EMBEDDING_DIMENSION) {
    super();
    if (!Number.isInteger(dimension) || dimension < 8) throw new Error(`offline embedder dimension must be an integer >= 8, got ${dimension}`);
  }

  async embedWithUsage(texts: string[], _ctx?: AiCallContext): Promise<EmbeddingResult> {
    const vectors: number[][] = new Array(texts.length);
    let tokens = 0;
    for (let i = 0; i < texts.length; i++) {
      vectors[i] = Array.from(this.vector(texts[i]));
      tokens += countTokens(texts[i]);
    }
    return { vectors, usage: { promptTokens: tokens, completionTokens: 0, totalTokens: tokens } };
  }

  /** The unit vector of one text (synchronous; `embed` is the port's way in). */
  vector(text: string): Float64Array {
    const v = new Float64Array(this.dimension);
    const normal = normalizeForHashing(text);
    const words = new Map<WordFeatures, number>();
    const pairs = new Map<number, number>();
    let previousStem = 0;
    let hasPrevious = false;
    const n = normal.length;
    let i = 0;
    while (i < n) {
      const c = normal.charCodeAt(i);
      if (!isWordChar(c)) {
        // A pair never spans a sentence: . ! ? ; and line breaks end the chain.
        if (c === 46 || c === 33 || c === 63 || c === 59 || c === 10) hasPrevious = false;
        i++;
        continue;
      }
      let j = i + 1;
      let apostrophe = false;
      while (j < n) {
        const d = normal.charCodeAt(j);
        if (isWordChar(d)) j++;
        else if ((d === 39 || d === 0x2019) && j + 1 < n && isWordChar(normal.charCodeAt(j + 1))) {
          apostrophe = true;
          j++;
        } else break;
      }
      const word = apostrophe ? normal.slice(i, j).replace(/['’]/g, '') : normal.slice(i, j);
      i = j;
      const f = this.features(word);
      words.set(f, (words.get(f) ?? 0) + 1);
      if (f.stop) continue;
      if (hasPrevious) {
        // Unordered: "data export" and "export data" are the same pair.
        const a = previousStem < f.stemHash ? previousStem : f.stemHash;
        const b = previousStem < f.stemHash ? f.stemHash : previousStem;
        const key = (Math.imul(a ^ SEED.pair, 0x9e3779b1) ^ b) >>> 0;
        pairs.set(key, (pairs.get(key) ?? 0) + 1);
      }
      previousStem = f.stemHash;
      hasPrevious = true;
    }

    for (const [f, tf] of words) {
      const w = 1 + Math.log(tf);
      addAt(v, f.wordSlot, (f.stop ? WEIGHT.stopWord : WEIGHT.word) * w);
      const gw = f.gramWeight * w;
      const grams = f.grams;
      for (let k = 0; k < grams.length; k++) addAt(v, grams[k], gw);
    }
    for (const [key, tf] of pairs) addAt(v, this.slot(mix32(key)), WEIGHT.pair * (1 + Math.log(tf)));
    // A text with no words still gets a (shared) unit vector: a zero vector has no cosine.
    if (words.size === 0) addAt(v, this.slot(mix32(SEED.empty)), 1);
    return l2Normalize(v);
  }

  private features(word: string): WordFeatures {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const stop = STOP_WORDS.has(word) || word.length < 2;
    const stemHash = fnv1a(stem(word));
    const grams = stop || isNumber(word) ? EMPTY : this.charGrams(word);
    const f: WordFeatures = { stop, stemHash, wordSlot: this.slot(mix32(stemHash ^ SEED.word)), grams, gramWeight: grams.length ? WEIGHT.charGrams / Math.sqrt(grams.length) : 0 };
    if (this.cache.size >= FEATURE_CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, f);
    return f;
  }

  /** 3-, 4- and 5-grams of "<word>", hashed by rolling FNV-1a over char codes (no substrings). */
  private charGrams(word: string): Int32Array {
    const len = Math.min(word.length, MAX_GRAM_WORD_LENGTH);
    const marked = len + 2;
    const out: number[] = [];
    for (let s = 0; s + 3 <= marked; s++) {
      let h = SEED.gram;
      for (let k = 0; k < 5 && s + k < marked; k++) {
        const p = s + k;
        const c = p === 0 ? 60 /* < */ : p === marked - 1 ? 62 /* > */ : word.charCodeAt(p - 1);
        h = Math.imul(h ^ c, FNV_PRIME);
        if (k >= 2) out.push(this.slot(mix32(h)));
      }
    }
    return Int32Array.from(out);
  }

  /** Bucket from the low bits, sign from the top bit of a mixed hash. */
  private slot(mixed: number): number {
    const index = (mixed % this.dimension) + 1;
    return mixed & 0x80000000 ? -index : index;
  }
}

const EMPTY = new Int32Array(0);

function addAt(v: Float64Array, slot: number, w: number): void {
  if (slot > 0) v[slot - 1] += w;
  else v[-slot - 1] -= w;
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;
const COMBINING_MARKS = /[\u0300-\u036f]/g;

function normalizeForHashing(text: string): string {
  const lower = text.toLowerCase();
  return ASCII.test(lower) ? lower : lower.normalize('NFD').replace(COMBINING_MARKS, '');
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

function isWordChar(c: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
  // Combining marks left by NFD in scripts it does not strip belong to their letter.
  if (c >= 0x300 && c <= 0x36f) return true;
  return LETTER_OR_DIGIT.test(String.fromCharCode(c));
}

function isNumber(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
