/**
 * Dates as mail really writes them (issue 12): RFC 5322 dates with its obsolete forms, and what
 * broken clients put in Date, Received and mbox postmark lines (`0102` for 2002, `+-0500`,
 * `Eastern Daylight Time`, `2002/09/14 Sat 02:29:32 CDT`, asctime...). Mail readers show such
 * messages, so we read them too: pure, never throws, linear in its (capped) input.
 *
 * The reader is a small token scanner rather than one big pattern: a date, a time and a zone may
 * come in any order real clients use, and a pattern that allows that backtracks on hostile text.
 */

export type SentAtSource = 'date' | 'received' | 'postmark' | 'import-time';

/** Longer than any real date with its comments; what is beyond is junk (and is never scanned). */
const MAX_INPUT = 200;
const MIN_YEAR = 1970;
const MAX_YEAR = 2200;
/** A Date header further than this after the import is a broken clock, not a date. */
const MAX_FUTURE_MS = 2 * 24 * 3600 * 1000;

type Token = { kind: 'word' | 'num' | 'punct'; text: string };

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
/** Words that may stand between the parts of a date and mean nothing: ISO's "T", "at", "on", `14th`. */
const FILLERS = new Set(['t', 'at', 'on', 'st', 'nd', 'rd', 'th']);

/** Abbreviations, in minutes east of UTC. RFC 5322's US zones, then the ones real mail uses. */
const ZONE_ABBREVIATIONS = new Map<string, number>(
  Object.entries({
    ut: 0, utc: 0, gmt: 0, z: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
    akst: -540, akdt: -480, hst: -600, hast: -600, hadt: -540, ast: -240, adt: -180, nst: -210, ndt: -150,
    // IST is read as Irish (the corpus writes "+0100 (IST)"); Indian Standard Time has its long name.
    bst: 60, ist: 60, wet: 0, west: 60, cet: 60, cest: 120, met: 60, mest: 120, mez: 60, mesz: 120, eet: 120, eest: 180,
    msk: 180, msd: 240, idt: 180, cat: 120, eat: 180, wat: 60, sast: 120, pkt: 300, npt: 345, ict: 420, wib: 420,
    hkt: 480, sgt: 480, pht: 480, awst: 480, jst: 540, kst: 540, acst: 570, acdt: 630, aest: 600, aedt: 660,
    nzst: 720, nzdt: 780, brt: -180, brst: -120, art: -180, clt: -240,
  }),
);

/**
 * Long names, by their "<base> Standard Time" offset: Windows writes these (Outlook Express of
 * 2002 put "Eastern Daylight Time" where the zone goes), and "<base> Daylight Time" / "<base>
 * Summer Time" are one hour more. Keys are lower case with "." and "-" read as spaces.
 */
const STANDARD_TIME_BASES: Record<string, number> = {
  dateline: -720, hawaiian: -600, hawaii: -600, 'hawaii aleutian': -600, alaskan: -540, alaska: -540, pacific: -480,
  'us mountain': -420, mountain: -420, central: -360, 'central america': -360, 'canada central': -360, mexico: -360,
  eastern: -300, 'us eastern': -300, 'sa pacific': -300, atlantic: -240, 'sa western': -240, 'pacific sa': -240,
  newfoundland: -210, 'e south america': -180, 'sa eastern': -180, greenland: -180, argentina: -180,
  'mid atlantic': -120, azores: -60, 'cape verde': -60, gmt: 0, greenwich: 0, 'western european': 0,
  'w europe': 60, 'central europe': 60, 'central european': 60, romance: 60, 'w central africa': 60,
  gtb: 120, 'e europe': 120, 'eastern european': 120, egypt: 120, 'south africa': 120, fle: 120, israel: 120, jerusalem: 120,
  arabic: 180, arab: 180, russian: 180, moscow: 180, 'e africa': 180, iran: 210, arabian: 240, caucasus: 240, afghanistan: 270,
  ekaterinburg: 300, 'west asia': 300, pakistan: 300, india: 330, indian: 330, 'sri lanka': 330, nepal: 345,
  'n central asia': 360, 'central asia': 360, myanmar: 390, 'se asia': 420, 'north asia': 420, china: 480,
  'north asia east': 480, singapore: 480, 'malay peninsula': 480, 'w australia': 480, 'australian western': 480,
  taipei: 480, 'hong kong': 480, tokyo: 540, japan: 540, korea: 540, korean: 540, yakutsk: 540, 'cen australia': 570,
  'aus central': 570, 'australian central': 570, 'e australia': 600, 'aus eastern': 600, 'australian eastern': 600,
  'west pacific': 600, tasmania: 600, vladivostok: 600, 'central pacific': 660, 'new zealand': 720, fiji: 720, tonga: 780,
};

const LONG_ZONES = new Map<string, number>([
  ['greenwich mean time', 0], ['coordinated universal time', 0], ['universal time', 0], ['universal time coordinated', 0],
  ['western european time', 0], ['central european time', 60], ['middle european time', 60], ['middle european summer time', 120],
  ['eastern european time', 120], ['british summer time', 60], ['irish standard time', 60], ['irish summer time', 60],
  ['eastern time', -300], ['central time', -360], ['mountain time', -420], ['pacific time', -480],
]);
for (const [base, offset] of Object.entries(STANDARD_TIME_BASES)) {
  LONG_ZONES.set(`${base} standard time`, offset);
  if (!LONG_ZONES.has(`${base} daylight time`)) LONG_ZONES.set(`${base} daylight time`, offset + 60);
  if (!LONG_ZONES.has(`${base} summer time`)) LONG_ZONES.set(`${base} summer time`, offset + 60);
}
const LONG_ZONE_MAX_WORDS = 6;

const isDigit = (c: string) => c >= '0' && c <= '9';
const isLetter = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f' || c === '\v' || c === '\u00a0';
const isPunct = (t: Token | undefined, text: string) => t !== undefined && t.kind === 'punct' && t.text === text;

/**
 * Words, digit runs and single punctuation marks; whitespace separates. Comments (RFC 5322
 * parentheses, nested, with quoted pairs; an unclosed one runs to the end) are set apart: they
 * only ever tell the zone, when none is written outside them.
 */
function tokenize(s: string): { tokens: Token[]; comments: string[] } {
  const tokens: Token[] = [];
  const comments: string[] = [];
  let depth = 0;
  let comment = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (depth > 0) {
      if (c === '\\') {
        comment += s[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (c === '(') depth++;
      if (c === ')' && --depth === 0) {
        comments.push(comment);
        comment = '';
      } else comment += c;
      i++;
      continue;
    }
    if (c === '(') {
      depth = 1;
      i++;
    } else if (isSpace(c) || c === ',') {
      i++;
    } else if (isLetter(c) || isDigit(c)) {
      const same = isDigit(c) ? isDigit : isLetter;
      let j = i + 1;
      while (j < s.length && same(s[j])) j++;
      tokens.push({ kind: isDigit(c) ? 'num' : 'word', text: isDigit(c) ? s.slice(i, j) : s.slice(i, j).toLowerCase() });
      i = j;
    } else {
      tokens.push({ kind: 'punct', text: c });
      i++;
    }
  }
  if (depth > 0 && comment) comments.push(comment);
  return { tokens, comments };
}

function monthOf(word: string): number | null {
  if (word.length < 3) return null;
  const m = MONTHS.findIndex((name) => name.startsWith(word));
  return m >= 0 ? m + 1 : word === 'sept' ? 9 : null;
}

const isDayName = (word: string) => word.length >= 2 && DAYS.some((name) => name.startsWith(word));

/** `+0500`, `-05:00`, `+5`, `+530`, and the broken `+-0500` (the last sign counts). */
function readOffset(t: Token[], i: number): { offset: number; next: number } | null {
  let sign = 0;
  while (i < t.length && (isPunct(t[i], '+') || isPunct(t[i], '-'))) sign = t[i++].text === '-' ? -1 : 1;
  const digits = t[i]?.kind === 'num' ? t[i].text : null;
  if (sign === 0 || digits === null) return null;
  let hours: number;
  let minutes = 0;
  let next = i + 1;
  if (digits.length <= 2) {
    hours = Number(digits);
    if (isPunct(t[next], ':') && t[next + 1]?.kind === 'num' && t[next + 1].text.length === 2) {
      minutes = Number(t[next + 1].text);
      next += 2;
    }
  } else if (digits.length <= 4) {
    hours = Number(digits.slice(0, -2));
    minutes = Number(digits.slice(-2));
  } else return null;
  return hours <= 23 && minutes <= 59 ? { offset: sign * (hours * 60 + minutes), next } : null;
}

/** The longest long zone name (`Eastern Daylight Time`, `E. Europe Standard Time`) starting at i. */
function readLongZone(t: Token[], i: number): { offset: number; next: number } | null {
  let key = '';
  let words = 0;
  let found: { offset: number; next: number } | null = null;
  let j = i;
  while (j < t.length && words < LONG_ZONE_MAX_WORDS) {
    if (t[j].kind !== 'word') break;
    key = words === 0 ? t[j].text : `${key} ${t[j].text}`;
    words++;
    j++;
    const offset = LONG_ZONES.get(key);
    if (offset !== undefined && words > 1) found = { offset, next: j };
    while (isPunct(t[j], '.') || isPunct(t[j], '-')) j++;
  }
  return found;
}

/** A zone at token i: a numeric offset, a long name, an abbreviation (with `GMT+1`, `UTC-3`), a military letter. */
function readZone(t: Token[], i: number): { offset: number; next: number } | null {
  const token = t[i];
  if (token === undefined) return null;
  if (token.kind === 'punct') return readOffset(t, i);
  if (token.kind !== 'word') return null;
  const long = readLongZone(t, i);
  if (long) return long;
  const base = ZONE_ABBREVIATIONS.get(token.text);
  if (base !== undefined) {
    const offset = base === 0 && token.text !== 'z' ? readOffset(t, i + 1) : null;
    return offset ?? { offset: base, next: i + 1 };
  }
  // RFC 5322 4.3: military zones were defined backwards in RFC 822; read them as -0000 (unknown).
  if (token.text.length === 1 && token.text !== 'j') return { offset: 0, next: i + 1 };
  return null;
}

/** RFC 5322 4.3 years: 2 digits -> 1950..2049, 3 digits -> +1900; `0102` is a 3-digit year with a 0 in front. */
function yearOf(digits: string): number | null {
  const n = Number(digits);
  if (digits.length <= 2) return n < 50 ? 2000 + n : 1900 + n;
  if (digits.length === 3 || (digits.length === 4 && digits[0] === '0')) return 1900 + n;
  return digits.length === 4 ? n : null;
}

type Ymd = { year: number | null; month: number; day: number };

/** `2002/09/14`, `2002-09-14`, `09/14/2002` (month first when it can be), `14/09/2002`, `14.09.2002` (day first). */
function readNumericDate(t: Token[], i: number): { ymd: Ymd | null; next: number } | null {
  const sep = t[i + 1];
  if (sep?.kind !== 'punct' || !['/', '-', '.'].includes(sep.text)) return null;
  if (t[i + 2]?.kind !== 'num' || !isPunct(t[i + 3], sep.text) || t[i + 4]?.kind !== 'num') return null;
  const [a, b, c] = [t[i].text, t[i + 2].text, t[i + 4].text];
  const next = i + 5;
  // Years of 1 or 3 digits are not written this way: `1.2.3` is a version, not a date.
  if (b.length > 2) return { ymd: null, next };
  if (a.length === 4 && c.length <= 2) return { ymd: { year: yearOf(a), month: Number(b), day: Number(c) }, next };
  if (a.length > 2 || (c.length !== 2 && c.length !== 4)) return { ymd: null, next };
  const dayFirst = sep.text === '.' || Number(a) > 12;
  return { ymd: { year: yearOf(c), month: Number(dayFirst ? b : a), day: Number(dayFirst ? a : b) }, next };
}

type Clock = { hour: number; minute: number; second: number; ms: number };

/** `02:29:32`, `2:29`, `1:5:13`, `02:29:32.123456`. */
function readClock(t: Token[], i: number): { clock: Clock | null; next: number } {
  const parts = [t[i].text, t[i + 2].text];
  let next = i + 3;
  if (isPunct(t[next], ':') && t[next + 1]?.kind === 'num') {
    parts.push(t[next + 1].text);
    next += 2;
  }
  let ms = 0;
  if (parts.length === 3 && (isPunct(t[next], '.') || isPunct(t[next], ',')) && t[next + 1]?.kind === 'num') {
    ms = Number(t[next + 1].text.slice(0, 3).padEnd(3, '0'));
    next += 2;
  }
  if (parts.some((p) => p.length > 2)) return { clock: null, next };
  const [hour, minute, second = 0] = parts.map(Number);
  return { clock: { hour, minute, second, ms }, next };
}

/** Day and year beside a month name: `14 Sep 2002`, `Sep 14 2002`, `28 May 02`, `2002 Sep 14`. */
function dayAndYear(nums: string[]): { day: number; year: number | null } | null {
  if (nums.length !== 2) return null;
  let [day, year] = nums;
  if (day.length >= 3 && year.length <= 2) [day, year] = [year, day];
  else if (day.length >= 3) return null;
  else if (year.length <= 2 && Number(day) > 31 && Number(year) <= 31) [day, year] = [year, day];
  return { day: Number(day), year: yearOf(year) };
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * A date as found in a Date or Received header, an mbox postmark or a CSV cell -> an ISO 8601
 * UTC instant, or null when it cannot be read or falls outside 1970..2200 (callers fall back).
 * A missing zone reads as UTC, a missing time as midnight; what follows a full date, time and
 * zone is ignored (SpamAssassin and MTAs append junk to it).
 */
export function parseMailDate(text: string): string | null {
  if (typeof text !== 'string') return null;
  const start = text.search(/\S/);
  if (start < 0) return null;
  const { tokens: t, comments } = tokenize(text.slice(start, start + MAX_INPUT));

  let month: number | null = null;
  const nums: string[] = [];
  let ymd: Ymd | null = null;
  let clock: Clock | null = null;
  let meridiem: 'am' | 'pm' | null = null;
  let zone: number | null = null;
  const dateComplete = () => ymd !== null || (month !== null && nums.length >= 2);

  let i = 0;
  while (i < t.length) {
    const token = t[i];
    if (token.kind === 'num') {
      if (!clock && isPunct(t[i + 1], ':') && t[i + 2]?.kind === 'num') {
        const read = readClock(t, i);
        if (!read.clock) return null;
        clock = read.clock;
        i = read.next;
        continue;
      }
      if (!dateComplete() && month === null && nums.length === 0) {
        const numeric = readNumericDate(t, i);
        if (numeric) {
          if (!numeric.ymd) return null;
          ymd = numeric.ymd;
          i = numeric.next;
          continue;
        }
      }
      if (!dateComplete()) {
        if (token.text.length > 4 || nums.length >= 3) return null;
        nums.push(token.text);
        i++;
        continue;
      }
      // `23:37:59 0530`: an offset without its sign.
      if (clock && zone === null && token.text.length === 4) {
        const signed = readOffset([{ kind: 'punct', text: '+' }, token], 0);
        if (signed) {
          zone = signed.offset;
          i++;
          continue;
        }
      }
      break;
    }
    if (token.kind === 'punct') {
      if (clock && zone === null && (token.text === '+' || token.text === '-')) {
        const offset = readOffset(t, i);
        if (offset) {
          zone = offset.offset;
          i = offset.next;
          continue;
        }
      }
      i++;
      continue;
    }
    const word = token.text;
    if (clock && (word === 'am' || word === 'pm')) {
      meridiem = word;
      i++;
      continue;
    }
    if (clock && (word === 'a' || word === 'p') && isPunct(t[i + 1], '.') && t[i + 2]?.text === 'm') {
      meridiem = word === 'a' ? 'am' : 'pm';
      i += 3;
      continue;
    }
    if (clock && zone === null) {
      const read = readZone(t, i);
      if (read) {
        zone = read.offset;
        i = read.next;
        continue;
      }
    }
    const named = monthOf(word);
    if (named !== null && month === null && ymd === null) {
      month = named;
      i++;
      continue;
    }
    if (isDayName(word) || (!clock && FILLERS.has(word))) {
      i++;
      continue;
    }
    if (dateComplete()) break;
    // `Sat Sep 14 02:29:32 XYZ 2002`: an unknown zone before the year; read as UTC.
    if (clock && zone === null) {
      zone = 0;
      i++;
      continue;
    }
    return null;
  }

  if (zone === null) {
    for (const comment of comments) {
      const read = readZone(tokenize(comment).tokens, 0);
      if (read) {
        zone = read.offset;
        break;
      }
    }
  }

  let date: Ymd | null = ymd;
  if (!date && month !== null) {
    const dy = dayAndYear(nums);
    date = dy ? { year: dy.year, month, day: dy.day } : null;
  }
  if (!date || date.year === null) return null;
  const { year, month: mon, day } = date;
  if (mon < 1 || mon > 12 || day < 1 || day > daysIn(year, mon)) return null;

  const { hour: written, minute, second: writtenSecond, ms } = clock ?? { hour: 0, minute: 0, second: 0, ms: 0 };
  const hour = meridiem && written >= 1 && written <= 12 ? (written % 12) + (meridiem === 'pm' ? 12 : 0) : written;
  if (minute > 59 || writtenSecond > 60 || hour > 24 || (hour === 24 && (minute > 0 || writtenSecond > 0 || ms > 0))) return null;
  // A leap second: the instant before it is close enough.
  const second = Math.min(writtenSecond, 59);

  const instant = Date.UTC(year, mon - 1, day, hour, minute, second, ms) - (zone ?? 0) * 60_000;
  if (!Number.isFinite(instant)) return null;
  const result = new Date(instant);
  const resultYear = result.getUTCFullYear();
  return resultYear >= MIN_YEAR && resultYear <= MAX_YEAR ? result.toISOString() : null;
}

/**
 * The date of the newest Received header that has a readable one: `values` in header order
 * (MTAs prepend, so the first is the newest), each possibly folded; the date is after its last ";".
 * `usable` may pass over dates the caller cannot use (a clock far ahead).
 */
export function receivedDate(values: readonly string[], usable: (iso: string) => boolean = () => true): string | null {
  for (const value of values) {
    const at = receivedValueDate(value);
    if (at && usable(at)) return at;
  }
  return null;
}

function receivedValueDate(value: string): string | null {
  if (typeof value !== 'string') return null;
  const semicolon = value.lastIndexOf(';');
  return semicolon >= 0 ? parseMailDate(value.slice(semicolon + 1)) : null;
}

/** Words of a postmark tried as the start of its date: the sender is one word, but spam tools wrote some with spaces. */
const POSTMARK_TRIES = 6;

/** An mbox separator `From sender Tue Mar  3 10:00:00 2026` (a zone, `remote from host` may follow) -> its instant. */
export function postmarkDate(line: string | null): string | null {
  if (typeof line !== 'string') return null;
  let rest = line.trimStart().slice(0, MAX_INPUT + 100);
  if (!rest.startsWith('From ')) return null;
  rest = rest.slice(5).trimStart();
  for (let tries = 0; tries < POSTMARK_TRIES; tries++) {
    const space = rest.search(/\s/);
    if (space < 0) return null;
    rest = rest.slice(space).trimStart();
    const at = parseMailDate(rest);
    if (at) return at;
  }
  return null;
}

export interface SentAtEvidence {
  /** The Date header as written (unfolded or not). */
  date: string | null | undefined;
  /** The Received header values, in header order (newest first). */
  received?: readonly string[] | null;
  /** The mbox `From ` separator line, when the message came from an mbox. */
  postmark?: string | null;
  /** The import's time: the last fallback, and what "in the future" is measured from. */
  now: Date | string;
}

/**
 * When a message was sent: its Date header, unless unreadable, before 1970 or more than two days
 * after `now` (a broken clock); then the newest Received header whose date is usable; then the
 * mbox postmark; then `now`.
 */
export function resolveSentAt(evidence: SentAtEvidence): { sentAt: string; sentAtSource: SentAtSource } {
  const given = evidence.now instanceof Date ? evidence.now.getTime() : Date.parse(evidence.now);
  const now = Number.isFinite(given) ? given : Date.now();
  const usable = (iso: string | null) => (iso !== null && Date.parse(iso) <= now + MAX_FUTURE_MS ? iso : null);

  const fromDate = usable(typeof evidence.date === 'string' ? parseMailDate(evidence.date) : null);
  if (fromDate) return { sentAt: fromDate, sentAtSource: 'date' };
  const fromReceived = receivedDate(evidence.received ?? [], (iso) => usable(iso) !== null);
  if (fromReceived) return { sentAt: fromReceived, sentAtSource: 'received' };
  const fromPostmark = usable(postmarkDate(evidence.postmark ?? null));
  if (fromPostmark) return { sentAt: fromPostmark, sentAtSource: 'postmark' };
  return { sentAt: new Date(now).toISOString(), sentAtSource: 'import-time' };
}
