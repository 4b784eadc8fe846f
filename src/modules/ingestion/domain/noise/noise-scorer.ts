import { NoiseClassification } from '@modules/ingestion/domain/message/message.events';
import { MessageToken } from './message-token';
import {
  BOT_MAILBOXES,
  BOT_NAMES,
  DELIVERY_REPORT_MAILBOXES,
  BROKEN_VERB_STEMS,
  ERROR_CODES,
  FREE_MAIL_DOMAINS,
  LINK_FILLERS,
  PLEASANTRIES,
  PROBLEM_STEMS,
  PROMO_PHRASES,
  PROMO_STEMS,
  QUESTION_STARTS,
  REQUEST_PAIRS,
  REQUEST_STEMS,
  SHORT_LINK_HOSTS,
  SPAM_PHRASES,
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
 *   0.9 for a bot-like author name or a delivery report (mailer-daemon), 0.8 for a no-reply
 *   mailbox or an email marked Auto-Submitted (noise only when short: a newsletter from one
 *   still carries what someone wrote).
 * - duplicate: 1 when the same normalised content by the same author was seen recently.
 * - linksOnly: share of links among links and words other than link fillers ("fyi", "see").
 * - language: 1 for English prose, 0 for another language or no words at all.
 * - shouting: 1 when (nearly) every letter is a capital.
 * - emojiOnly: 1 when there are emoji and nothing but emoji and punctuation.
 * - question / request / problem: cues that raise importance.
 * - spam: evidence of unsolicited selling or fraud (spamEvidenceOf): 1 = certain. Distinct spam
 *   phrases ("removal instructions", "financial freedom") count fully; selling words, money
 *   amounts and percentages count per length (a long newsletter mentions prices without being
 *   spam); capitals and "!!!" only amplify selling; a free-mail sender or links to bare IPs and
 *   shorteners add to selling; links to the sender's own site (a brand's newsletter) take away;
 *   a reply or quoted lines (someone answering someone) keep it below spam.
 *
 * Honest labels: spam and noise take a message out of analysis, so they need strong evidence.
 * Selling that is not sure enough for spam (newsletters, marketing people asked for, a customer
 * quoting a price) stays in analysis as low_quality: read last, never dropped.
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
  spam: 0.8,
  /** Any of these at or above its value: noise. */
  noise: { botAuthor: 0.9, duplicate: 1, greetingOrThanksOnly: 0.8, emojiOnly: 1, linksOnly: 0.9 },
  /** botAuthor >= this (a no-reply mailbox): noise when shorter than 40 words (length < 1), else low_quality at most. */
  automated: 0.8,
  /** spam >= this (selling, not sure enough for spam): low_quality at most. */
  selling: 0.2,
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
  const evidence = spamEvidenceOf(subject, tokens);
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
    // The mail system's own verdict (X-Spam-Flag, Gmail's Spam label) is the strongest evidence there is.
    spam: subject.metadata.spamVerdict === 'spam' ? 1 : spamOf(evidence),
  };
  for (const k of Object.keys(factors) as (keyof NoiseFactors)[]) factors[k] = round3(factors[k]);

  const importance = importanceOf(factors);
  const hasAttachments = Array.isArray(subject.metadata.attachments) && subject.metadata.attachments.length > 0;
  const classification = classify(factors, importance, substantive.length === 0 && urls.length === 0 && emoji.length === 0 && !hasAttachments);
  const scaled =
    classification === 'noise' || classification === 'spam'
      ? importance * NOISE_IMPORTANCE_SCALE
      : classification === 'low_quality'
        ? Math.min(importance, NOISE_THRESHOLDS.signal - 0.001)
        : importance;
  return { classification, importance: round3(scaled), factors };
}

function classify(f: NoiseFactors, importance: number, empty: boolean): NoiseClassification {
  const t = NOISE_THRESHOLDS;
  if (f.spam >= t.spam) return 'spam';
  if (
    empty ||
    f.botAuthor >= t.noise.botAuthor ||
    (f.botAuthor >= t.automated && f.length < 1) ||
    f.duplicate >= t.noise.duplicate ||
    f.greetingOrThanksOnly >= t.noise.greetingOrThanksOnly ||
    f.emojiOnly >= t.noise.emojiOnly ||
    f.linksOnly >= t.noise.linksOnly
  ) {
    return 'noise';
  }
  if (f.spam >= t.selling || f.botAuthor >= t.automated) return 'low_quality';
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
  // "thanks Ivan!": a name after a pleasantry says who it is for, nothing more.
  const addressee = (w: MessageToken) => words.length <= 4 && !w.known && w.value[0] !== w.value[0].toLowerCase();
  const content = words.filter((w) => !w.stopWord && !addressee(w));
  const pleasant = content.filter((w) => PLEASANTRIES.has(w.normal)).length;
  if (pleasant === content.length) return 1;
  return 0.5 * (pleasant / content.length);
}

function botAuthorOf(subject: NoiseSubject): number {
  const m = subject.metadata;
  const user = typeof m.user === 'object' && m.user !== null ? (m.user as Record<string, unknown>) : {};
  const senderType = String(m.senderType ?? m.sender_type ?? '').toLowerCase();
  // Slack exports keep the app in `bot: { id, name }` (an app posts with a bot_id and no subtype).
  const app = typeof m.bot === 'object' && m.bot !== null && !!(m.bot as Record<string, unknown>).id;
  if (m.subtype === 'bot_message' || !!m.bot_id || !!m.botId || m.isBot === true || m.is_bot === true || m.bot === true || app || user.is_bot === true || senderType.includes('bot')) return 1;
  if (subject.author.name && BOT_NAMES.test(subject.author.name)) return 0.9;
  if (subject.author.email && DELIVERY_REPORT_MAILBOXES.test(subject.author.email)) return 0.9;
  // RFC 3834 Auto-Submitted (metadata.autoSubmitted): "auto-generated", "auto-replied"; "no" is a person.
  if (typeof m.autoSubmitted === 'string' && /^auto-/i.test(m.autoSubmitted.trim())) return 0.8;
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

/** What the spam factor rests on, counted once per distinct cue (a repeated word is one cue). */
export interface SpamEvidence {
  /** Distinct strong spam phrases (SPAM_PHRASES). */
  strong: number;
  /** Distinct weak selling phrases (PROMO_PHRASES). */
  promoPhrases: number;
  /** Distinct selling words (PROMO_STEMS). */
  promoWords: number;
  /** Distinct money amounts ("$5,000", "500 dollars"). */
  money: number;
  /** Percentages ("100%", "50% off"). */
  percent: number;
  /** Share of the longer words written in capitals. */
  capitals: number;
  exclamations: number;
  words: number;
  urls: number;
  /** The sender writes from a free mailbox (gmail.com, hotmail.com...). */
  freeMail: boolean;
  /** Links to a bare IP address or through a link shortener. */
  hiddenLinks: number;
  /** Share of the linked sites that are the sender's own domain; null without links or sender domain. */
  ownSiteLinks: number | null;
  /** A reply (In-Reply-To or References), quoted lines or "X wrote:": someone answering someone. */
  conversation: number;
}

const CURRENCY = new Set(['$', 'us$', '€', '£', '¥']);
const CURRENCY_WORDS = new Set(['dollars', 'dollar', 'usd', 'euros', 'eur', 'pounds', 'gbp']);

/**
 * The text as phrases are matched on: normal forms of words and numbers, one space apart, with a
 * "|" at each sentence end, so a phrase never spans two sentences.
 */
function phraseText(tokens: readonly MessageToken[]): string {
  const parts: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'word') parts.push(t.normal === 'e-mail' ? 'email' : t.normal.replace(/-/g, ' '));
    else if (t.kind === 'number') parts.push(t.normal.replace(/,/g, ''));
    else if ((t.kind === 'punctuation' && /[.!?;]/.test(t.value)) || (t.kind === 'space' && /\n[^\n]*\n/.test(t.value))) parts.push('|');
  }
  return ` ${parts.join(' ')} `;
}

/** "mail.acme.co.uk" -> "acme.co.uk", "news.acme.com" -> "acme.com": the part a company registers. */
function registrable(host: string): string {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.').filter(Boolean);
  if (labels.length <= 2) return labels.join('.');
  const secondLevel = labels[labels.length - 2];
  const keep = labels[labels.length - 1].length === 2 && /^(co|com|net|org|ac|gov|edu|ne|or)$/.test(secondLevel) ? 3 : 2;
  return labels.slice(-keep).join('.');
}

/** Hosts of the links: URLs, and "www.acme.com" written without a scheme (read as words and dots). */
function linkHosts(tokens: readonly MessageToken[]): string[] {
  const hosts: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'url') {
      const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/?#\s]*@)?([^/:?#\s]+)/i.exec(t.value);
      if (m) hosts.push(m[1].toLowerCase().replace(/^www\./, ''));
    } else if ((t.normal === 'http' || t.normal === 'https') && tokens[i + 1]?.value.startsWith(':')) {
      // wink does not read a link to a bare IP address as one: "http" ":/" "/" "203.0.113.7"
      const ip = tokens.slice(i + 1, i + 4).find((n) => n.kind === 'number' && /^\d+(\.\d+){3}$/.test(n.value));
      if (ip) hosts.push(ip.value);
    } else if (t.normal === 'www' && tokens[i + 1]?.value === '.') {
      const labels: string[] = [];
      let j = i + 2;
      for (; j < tokens.length && tokens[j].kind === 'word'; j += 2) {
        labels.push(tokens[j].normal);
        if (tokens[j + 1]?.value !== '.') break;
      }
      if (labels.length >= 2) hosts.push(labels.join('.'));
      i = j;
    }
  }
  return hosts;
}

const distinctPhrases = (text: string, phrases: readonly string[]) => phrases.filter((p) => text.includes(` ${p} `)).length;

export function spamEvidenceOf(subject: NoiseSubject, tokens: readonly MessageToken[]): SpamEvidence {
  const text = phraseText(tokens);
  const words = tokens.filter(isWord);
  const promoWords = new Set(words.filter((w) => PROMO_STEMS.has(w.stem)).map((w) => w.stem));
  const amounts = new Set<string>();
  let percent = 0;
  let quotedLines = 0;
  let wrote = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    if (CURRENCY.has(t.normal) && next?.kind === 'number') amounts.add(next.normal);
    if (t.kind === 'number' && next && CURRENCY_WORDS.has(next.normal)) amounts.add(t.normal);
    if (t.kind === 'number' && next?.value === '%') percent++;
    const lineStart = i === 0 || (tokens[i - 1].kind === 'space' && tokens[i - 1].value.includes('\n'));
    if (lineStart && t.value === '>') quotedLines++;
    if ((t.normal === 'wrote' || t.normal === 'writes') && next?.value === ':') wrote = true;
  }
  const long = words.filter((w) => w.value.length >= 4);
  const hosts = linkHosts(tokens);
  const senderDomain = registrable(subject.author.email?.split('@')[1] ?? '');
  const meta = subject.metadata;
  const reply = !!meta.inReplyTo || (Array.isArray(meta.references) && meta.references.length > 0);
  return {
    strong: distinctPhrases(text, SPAM_PHRASES),
    promoPhrases: distinctPhrases(text, PROMO_PHRASES),
    promoWords: promoWords.size,
    money: amounts.size,
    percent,
    capitals: long.length ? long.filter((w) => w.value === w.value.toUpperCase()).length / long.length : 0,
    exclamations: tokens.filter((t) => t.kind === 'punctuation' && t.value.includes('!')).length,
    words: words.length,
    urls: tokens.filter((t) => t.kind === 'url').length,
    freeMail: FREE_MAIL_DOMAINS.has(senderDomain),
    hiddenLinks: hosts.filter((h) => /^\d+(\.\d+){3}$/.test(h) || SHORT_LINK_HOSTS.has(h)).length,
    ownSiteLinks: hosts.length && senderDomain ? hosts.filter((h) => registrable(h) === senderDomain).length / hosts.length : null,
    conversation: reply ? 1 : quotedLines >= 2 || wrote || text.includes(' original message ') ? 0.7 : 0,
  };
}

/** Spam points at which the spam factor is 1: 0.8 (spam) is 2 points, 0.2 (selling) 0.5. */
const SPAM_POINTS_AT_ONE = 2.5;
/** Words a message may have before selling words, amounts and percentages count less (per sqrt of length). */
const SELLING_LENGTH = 200;

/** The spam factor of the evidence (see NoiseFactors.spam). */
export function spamOf(e: SpamEvidence): number {
  const perLength = Math.min(1, Math.sqrt(SELLING_LENGTH / Math.max(1, e.words)));
  const selling =
    e.strong + perLength * (0.4 * Math.min(e.promoPhrases, 6) + 0.08 * Math.min(e.promoWords, 10) + 0.25 * Math.min(e.money, 4) + 0.15 * Math.min(e.percent, 3));
  // Capitals and "!!!" are how spam sells, but also how an angry customer writes: they only amplify selling.
  const style = Math.min(1.5, 3 * Math.max(0, e.capitals - 0.1)) + 0.5 * Math.min(1, e.exclamations / Math.max(3, e.words / 15));
  let points = selling + Math.min(selling, style);
  if (selling >= 0.8) {
    if (e.freeMail) points += 1;
    if (e.hiddenLinks > 0) points += 1;
    if (e.ownSiteLinks !== null && e.ownSiteLinks > 0) points *= 0.6;
  }
  const factor = clamp01((points * (1 - 0.5 * e.conversation)) / SPAM_POINTS_AT_ONE);
  // Someone answering someone (a reply, quoted lines) is a person talking, even about a pitch: never sure spam.
  return e.conversation > 0 ? Math.min(factor, NOISE_THRESHOLDS.spam - 0.001) : factor;
}
