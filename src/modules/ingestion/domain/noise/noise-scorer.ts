import { NoiseClassification } from '@modules/ingestion/domain/message/message.events';
import { MessageToken } from './message-token';
import {
  BOT_MAILBOXES,
  BOT_NAMES,
  BROKEN_VERB_STEMS,
  ERROR_CODES,
  LINK_FILLERS,
  PLEASANTRIES,
  PROBLEM_STEMS,
  PROMO_PAIRS,
  PROMO_STEMS,
  QUESTION_STARTS,
  REQUEST_PAIRS,
  REQUEST_STEMS,
} from './noise-cues';

/**
 * Offline noise scoring of one message: factor scores (each 0..1), a classification and an
 * importance (0..1). Pure: tokens come from the MessageTokenizer port and whether the same
 * content was seen recently comes from the caller's lookup.
 *
 * Factors (1 = the trait is fully there):
 * - length: substance by size, sqrt(words / 40) capped at 1 (10 words 0.5, 40+ words 1).
 * - greetingOrThanksOnly: 1 when every word is a pleasantry ("hi team", "thanks!!", "ok 👍").
 * - botAuthor: 1 for explicit bot flags (Slack `subtype: bot_message`, `bot_id`, `isBot`),
 *   0.9 for a bot-like author name, 0.8 for a no-reply mailbox.
 * - duplicate: 1 when the same normalised content by the same author was seen recently.
 * - linksOnly: share of links among links and words other than link fillers ("fyi", "see").
 * - language: 1 for English prose, 0 for another language or no words at all.
 * - shouting: 1 when (nearly) every letter is a capital.
 * - emojiOnly: 1 when there are emoji and nothing but emoji and punctuation.
 * - question / request / problem: cues that raise importance.
 * - spam: promotion cues ("free", "giveaway", "click here") with links and shouting.
 */
export interface NoiseFactors {
  length: number;
  greetingOrThanksOnly: number;
  botAuthor: number;
  duplicate: number;
  linksOnly: number;
  language: number;
  shouting: number;
  emojiOnly: number;
  question: number;
  request: number;
  problem: number;
  spam: number;
}

export interface NoiseScore {
  classification: NoiseClassification;
  /** 0..1: how much a reader should care. */
  importance: number;
  factors: NoiseFactors;
}

export interface NoiseSubject {
  author: { name: string | null; email: string | null };
  /** Provider facts: bot flags (Slack `subtype`, `bot_id`), attachments... */
  metadata: Record<string, unknown>;
}

/** The classification rules, in the order they apply. */
export const NOISE_THRESHOLDS = {
  /** spam >= this: spam. */
  spam: 0.6,
  /** Any of these at or above its value: noise. */
  noise: { botAuthor: 0.8, duplicate: 1, greetingOrThanksOnly: 0.8, emojiOnly: 1, linksOnly: 0.9 },
  /** Otherwise by importance: >= highQuality high_quality, >= signal signal, else low_quality. */
  highQuality: 0.7,
  signal: 0.3,
} as const;

/** Importance of noise and spam is scaled down by this: they may still be read, last. */
const NOISE_IMPORTANCE_SCALE = 0.2;

const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
const round3 = (x: number) => Math.round(clamp01(x) * 1000) / 1000;
const LETTER = /\p{L}/u;
const isWord = (t: MessageToken) => t.kind === 'word' && LETTER.test(t.value);

/**
 * The content with everything that does not change its meaning removed: normal forms of words,
 * numbers, links, emoji, mentions and hashtags, without punctuation, case or spacing. Two messages
 * with the same fingerprint say the same thing. Null when nothing is left.
 */
export function contentFingerprint(tokens: readonly MessageToken[]): string | null {
  const parts = tokens.filter((t) => t.kind !== 'punctuation' && t.kind !== 'space' && t.kind !== 'symbol').map((t) => t.normal);
  return parts.length ? parts.join(' ') : null;
}

export function scoreNoise(subject: NoiseSubject, tokens: readonly MessageToken[], seenRecently: (fingerprint: string) => boolean): NoiseScore {
  const words = tokens.filter(isWord);
  const substantive = tokens.filter((t) => isWord(t) || t.kind === 'number');
  const urls = tokens.filter((t) => t.kind === 'url');
  const emoji = tokens.filter((t) => t.kind === 'emoji');
  const fingerprint = contentFingerprint(tokens);
  const promo = promotionCues(tokens);
  const shouting = shoutingOf(words);

  const factors: NoiseFactors = {
    length: Math.sqrt(substantive.length / 40),
    greetingOrThanksOnly: pleasantriesOnly(words),
    botAuthor: botAuthorOf(subject),
    duplicate: fingerprint !== null && seenRecently(fingerprint) ? 1 : 0,
    linksOnly: urls.length ? urls.length / (urls.length + words.filter((w) => !w.stopWord && !LINK_FILLERS.has(w.normal)).length) : 0,
    language: englishOf(tokens),
    shouting,
    emojiOnly: emoji.length > 0 && substantive.length === 0 && urls.length === 0 ? 1 : 0,
    question: questionOf(tokens, words),
    request: Math.min(1, 0.5 * requestCues(tokens)),
    problem: Math.min(1, 0.5 * problemCues(tokens)),
    spam: promo >= 2 ? 0.2 * promo + (urls.length ? 0.2 : 0) + 0.2 * shouting + (exclamations(tokens) >= 3 ? 0.1 : 0) : 0.15 * promo,
  };
  for (const k of Object.keys(factors) as (keyof NoiseFactors)[]) factors[k] = round3(factors[k]);

  const importance = importanceOf(factors);
  const hasAttachments = Array.isArray(subject.metadata.attachments) && subject.metadata.attachments.length > 0;
  const classification = classify(factors, importance, substantive.length === 0 && urls.length === 0 && emoji.length === 0 && !hasAttachments);
  const scaled = classification === 'noise' || classification === 'spam' ? importance * NOISE_IMPORTANCE_SCALE : importance;
  return { classification, importance: round3(scaled), factors };
}

function classify(f: NoiseFactors, importance: number, empty: boolean): NoiseClassification {
  const t = NOISE_THRESHOLDS;
  if (f.spam >= t.spam) return 'spam';
  if (
    empty ||
    f.botAuthor >= t.noise.botAuthor ||
    f.duplicate >= t.noise.duplicate ||
    f.greetingOrThanksOnly >= t.noise.greetingOrThanksOnly ||
    f.emojiOnly >= t.noise.emojiOnly ||
    f.linksOnly >= t.noise.linksOnly
  ) {
    return 'noise';
  }
  if (importance >= t.highQuality) return 'high_quality';
  if (importance >= t.signal) return 'signal';
  return 'low_quality';
}

/**
 * Substance (length) and intent (problem, request, question), damped for shouting and for text
 * that is not English prose (kept: a French bug report still matters, it is just less certain).
 */
function importanceOf(f: NoiseFactors): number {
  // A question alone is a weaker cue than a problem or a request ("can u check the PR?").
  const cue = Math.max(f.problem, f.request, 0.8 * f.question);
  const kinds = [f.problem, f.request, f.question].filter((x) => x > 0).length;
  // Cues count fully once a message has some substance (~10 words).
  const raw = 0.05 + 0.45 * f.length + 0.25 * cue + 0.1 * Math.min(1, kinds / 2) + (kinds > 0 ? 0.15 * Math.min(1, 2 * f.length) : 0);
  const noisy = Math.max(f.greetingOrThanksOnly * 0.5, f.linksOnly * 0.6);
  return clamp01(raw * (0.6 + 0.4 * f.language) * (1 - 0.4 * f.shouting) * (1 - noisy));
}

function pleasantriesOnly(words: readonly MessageToken[]): number {
  if (words.length === 0 || words.length > 12) return 0;
  const greeting = words.filter((w) => PLEASANTRIES.has(w.normal));
  if (greeting.length === 0) return 0;
  const content = words.filter((w) => !w.stopWord);
  const pleasant = content.filter((w) => PLEASANTRIES.has(w.normal)).length;
  if (pleasant === content.length) return 1;
  return 0.5 * (pleasant / content.length);
}

function botAuthorOf(subject: NoiseSubject): number {
  const m = subject.metadata;
  const user = typeof m.user === 'object' && m.user !== null ? (m.user as Record<string, unknown>) : {};
  const senderType = String(m.senderType ?? m.sender_type ?? '').toLowerCase();
  if (m.subtype === 'bot_message' || !!m.bot_id || !!m.botId || m.isBot === true || m.is_bot === true || m.bot === true || user.is_bot === true || senderType.includes('bot')) return 1;
  if (subject.author.name && BOT_NAMES.test(subject.author.name)) return 0.9;
  if (subject.author.email && BOT_MAILBOXES.test(subject.author.email)) return 0.8;
  return 0;
}

/**
 * Share of words in the English lexicon, leaving out what every language shares: acronyms
 * ("SSO"), words with digits and capitalised words inside a sentence (names: "Okta", "Acme").
 * Scaled so that ~70% known words is English and ~25% (loanwords, names) is not.
 */
function englishOf(tokens: readonly MessageToken[]): number {
  let counted = 0;
  let known = 0;
  let all = 0;
  let allKnown = 0;
  let sentenceStart = true;
  for (const t of tokens) {
    if (t.kind === 'punctuation' || t.kind === 'space') {
      if (t.kind === 'space' || /[.!?]/.test(t.value)) sentenceStart = true;
      continue;
    }
    if (!isWord(t)) {
      sentenceStart = false;
      continue;
    }
    const acronym = t.value.length > 1 && t.value === t.value.toUpperCase();
    const name = !sentenceStart && t.value[0] !== t.value[0].toLowerCase();
    sentenceStart = false;
    all++;
    if (t.known) allKnown++;
    if (acronym || name || /\d/.test(t.value)) continue;
    counted++;
    if (t.known) known++;
  }
  // Only names and capitals ("THIS IS BROKEN"): judge by every word after all.
  const share = counted > 0 ? known / counted : all > 0 ? allKnown / all : 0;
  return clamp01((share - 0.25) / 0.45);
}

function shoutingOf(words: readonly MessageToken[]): number {
  const letters = words.map((w) => w.value.replace(/[^\p{L}]/gu, '')).filter((w) => w.length >= 2);
  const total = letters.reduce((n, w) => n + w.length, 0);
  if (letters.length < 3 || total < 12) return 0;
  const upper = letters.reduce((n, w) => n + [...w].filter((c) => c !== c.toLowerCase()).length, 0);
  return clamp01((upper / total - 0.5) / 0.4);
}

function questionOf(tokens: readonly MessageToken[], words: readonly MessageToken[]): number {
  if (tokens.some((t) => t.kind === 'punctuation' && t.value.includes('?'))) return 1;
  return words.length >= 3 && QUESTION_STARTS.has(words[0].normal) ? 0.6 : 0;
}

/** Adjacent pairs of normal forms (words only), for two-word cues. */
function pairs(tokens: readonly MessageToken[]): string[] {
  const w = tokens.filter((t) => t.kind === 'word');
  const out: string[] = [];
  for (let i = 1; i < w.length; i++) out.push(`${w[i - 1].normal} ${w[i].normal}`);
  return out;
}

function problemCues(tokens: readonly MessageToken[]): number {
  let hits = 0;
  const w = tokens.filter((t) => t.kind === 'word' || t.kind === 'number');
  for (let i = 0; i < w.length; i++) {
    if (w[i].kind === 'number' ? ERROR_CODES.has(w[i].normal) : PROBLEM_STEMS.has(w[i].stem)) hits++;
    // "does not work", "can not log in", "never loads"
    if ((w[i].normal === 'not' || w[i].normal === 'never') && w.slice(i + 1, i + 3).some((n) => BROKEN_VERB_STEMS.has(n.stem))) hits++;
  }
  return hits;
}

function requestCues(tokens: readonly MessageToken[]): number {
  return tokens.filter((t) => t.kind === 'word' && REQUEST_STEMS.has(t.stem)).length + pairs(tokens).filter((p) => REQUEST_PAIRS.has(p)).length;
}

function promotionCues(tokens: readonly MessageToken[]): number {
  return tokens.filter((t) => t.kind === 'word' && PROMO_STEMS.has(t.stem)).length + pairs(tokens).filter((p) => PROMO_PAIRS.has(p)).length + (tokens.some((t) => t.value.includes('$$')) ? 1 : 0);
}

function exclamations(tokens: readonly MessageToken[]): number {
  return tokens.filter((t) => t.kind === 'punctuation' && t.value.includes('!')).length;
}
