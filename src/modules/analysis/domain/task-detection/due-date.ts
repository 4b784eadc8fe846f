/**
 * The due date a sentence states, as an ISO date resolved against the message's sent time.
 * Only what the text says: no phrase, no date. Urgency words ("asap") set priority, not a date.
 *
 * The calendar day is the writer's: "tomorrow" written at 23:30+02:00 is the day after that local
 * date, so the offset written in `sentAt` is kept (an ISO string without one is read as UTC).
 */
export interface DueDate {
  /** YYYY-MM-DD */
  date: string;
  /** The words that state it, as written ("by Friday"). */
  phrase: string;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const WEEKDAY_FORMS: Record<string, number> = {};
WEEKDAYS.forEach((day, index) => {
  // "sun" and "sat" are words too: only the full names of those two.
  const forms = day === 'sunday' || day === 'saturday' ? [day] : [day, day.slice(0, 3), `${day.slice(0, 3)}.`];
  for (const form of forms) WEEKDAY_FORMS[form] = index;
});
Object.assign(WEEKDAY_FORMS, { tues: 2, weds: 3, thur: 4, thurs: 4 });

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_FORMS: Record<string, number> = {};
MONTHS.forEach((month, index) => {
  MONTH_FORMS[month] = index;
  MONTH_FORMS[month.slice(0, 3)] = index;
});
MONTH_FORMS.sept = 8;

const NUMBER_WORDS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, couple: 2 };

const LEAD = String.raw`(?:(?:by|before|until|till|til|on|for|due|this|at the|at|latest)\s+)?`;
const MONTH_RE = Object.keys(MONTH_FORMS).sort((a, b) => b.length - a.length).join('|');
const WEEKDAY_RE = Object.keys(WEEKDAY_FORMS).map((f) => f.replace('.', '\\.')).sort((a, b) => b.length - a.length).join('|');

interface Rule {
  pattern: RegExp;
  resolve: (match: RegExpExecArray, today: Day) => Day | null;
}

/** A calendar day as days since the epoch (UTC arithmetic, no clock, no zone database). */
type Day = number;

const dayOf = (y: number, m: number, d: number): Day => Date.UTC(y, m, d) / 86_400_000;
const parts = (day: Day) => {
  const date = new Date(day * 86_400_000);
  return { y: date.getUTCFullYear(), m: date.getUTCMonth(), d: date.getUTCDate(), weekday: date.getUTCDay() };
};
const iso = (day: Day) => new Date(day * 86_400_000).toISOString().slice(0, 10);

/** Friday of the (Monday-first) week of `day`; on a weekend, the coming Friday. */
function fridayOf(day: Day): Day {
  const { weekday } = parts(day);
  if (weekday === 6) return day + 6;
  if (weekday === 0) return day + 5;
  return day + (5 - weekday);
}

/** A month and day without a year: the next one on or after today. */
function nextMonthDay(month: number, dayOfMonth: number, today: Day, year?: number): Day | null {
  if (dayOfMonth < 1 || dayOfMonth > 31) return null;
  const { y } = parts(today);
  const candidate = (yy: number) => {
    const day = dayOf(yy, month, dayOfMonth);
    return parts(day).m === month ? day : null; // 31 February is no date
  };
  if (year !== undefined) return candidate(year < 100 ? 2000 + year : year);
  const thisYear = candidate(y);
  if (thisYear !== null && thisYear >= today) return thisYear;
  return candidate(y + 1);
}

const count = (word: string) => (/^\d+$/.test(word) ? Number(word) : NUMBER_WORDS[word]);

/** Tried in order; the first match in the text wins. Longer phrases come before their parts. */
const RULES: Rule[] = [
  { pattern: /\b(\d{4})-(\d{2})-(\d{2})\b/, resolve: (m, today) => nextMonthDay(Number(m[2]) - 1, Number(m[3]), today, Number(m[1])) },
  {
    pattern: new RegExp(String.raw`\b${LEAD}(${MONTH_RE})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?`),
    resolve: (m, today) => nextMonthDay(MONTH_FORMS[m[1]], Number(m[2]), today, m[3] ? Number(m[3]) : undefined),
  },
  {
    pattern: new RegExp(String.raw`\b${LEAD}(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(${MONTH_RE})\b\.?(?:\s+(\d{4}))?`),
    resolve: (m, today) => nextMonthDay(MONTH_FORMS[m[2]], Number(m[1]), today, m[3] ? Number(m[3]) : undefined),
  },
  { pattern: new RegExp(String.raw`\b${LEAD}(?:the\s+)?day after (?:tomorrow|tmrw)\b`), resolve: (_m, today) => today + 2 },
  { pattern: new RegExp(String.raw`\b${LEAD}(?:tomorrow|tmrw|tmr|tomorow|tmw)\b(?:\s+(?:morning|afternoon|evening|night|eod))?`), resolve: (_m, today) => today + 1 },
  {
    pattern: new RegExp(String.raw`\b${LEAD}(?:today|tonight|tonite|eod|cob|end of (?:the |my |your )?(?:day|business)|close of business|this (?:morning|afternoon|evening))\b`),
    resolve: (_m, today) => today,
  },
  { pattern: new RegExp(String.raw`\b${LEAD}(?:\d{1,2}(?::\d{2})?\s*(?:am|pm)|noon|midday)\b`), resolve: (_m, today) => today },
  { pattern: new RegExp(String.raw`\b${LEAD}(?:the\s+)?(?:end of (?:the |this )?week|eow|this week)\b`), resolve: (_m, today) => fridayOf(today) },
  { pattern: new RegExp(String.raw`\b${LEAD}(?:the\s+)?(?:end of next week|next week)\b`), resolve: (_m, today) => fridayOf(today) + 7 },
  {
    pattern: new RegExp(String.raw`\b${LEAD}(?:the\s+)?(?:end of (?:the |this )?month|eom)\b`),
    resolve: (_m, today) => {
      const { y, m } = parts(today);
      return dayOf(y, m + 1, 0);
    },
  },
  {
    pattern: new RegExp(String.raw`\b${LEAD}(?:the\s+)?(?:end of (?:the |this )?year|eoy)\b`),
    resolve: (_m, today) => dayOf(parts(today).y, 11, 31),
  },
  {
    pattern: /\bwithin (?:the next )?(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|couple)(?: of)? (day|week)s?\b|\bin (\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|couple)(?: of)? (day|week)s?\b/,
    resolve: (m, today) => {
      const n = count(m[1] ?? m[3]);
      if (n === undefined || n > 366) return null;
      return today + n * ((m[2] ?? m[4]) === 'week' ? 7 : 1);
    },
  },
  {
    pattern: new RegExp(String.raw`(\blast\s+|\bpast\s+)?\b(?:(?:by|before|until|till|on|for|due|this|latest)\s+)?(next\s+)?(${WEEKDAY_RE})(?![\w])`),
    resolve: (m, today) => {
      // "last Friday" is behind us: no due date.
      if (m[1]) return null;
      const target = WEEKDAY_FORMS[m[3]];
      const { weekday } = parts(today);
      if (m[2]) {
        // "next Friday": the Friday of next (Monday-first) week.
        const mondayNextWeek = today - ((weekday + 6) % 7) + 7;
        return mondayNextWeek + ((target + 6) % 7);
      }
      // "by Friday" / "on Monday": the next such day after today (said on a Monday, "Monday" is a week on).
      const ahead = (target - weekday + 7) % 7;
      return today + (ahead === 0 ? 7 : ahead);
    },
  },
];

/** The writer's calendar day of an ISO timestamp, keeping its written offset. */
export function localDay(sentAt: string): Day {
  const instant = Date.parse(sentAt);
  if (Number.isNaN(instant)) throw new Error(`not an ISO timestamp: ${sentAt}`);
  const offset = /([+-])(\d{2}):?(\d{2})$/.exec(sentAt);
  const minutes = offset ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) : 0;
  return Math.floor((instant + minutes * 60_000) / 86_400_000);
}

/** The first due date stated in `text`, or null. */
export function resolveDueDate(text: string, sentAt: string): DueDate | null {
  const lower = text.toLowerCase();
  const today = localDay(sentAt);
  let best: { index: number; due: DueDate } | null = null;
  for (const rule of RULES) {
    const match = rule.pattern.exec(lower);
    if (!match || (best && match.index >= best.index)) continue;
    const day = rule.resolve(match, today);
    if (day === null || day < today) continue;
    best = { index: match.index, due: { date: iso(day), phrase: text.slice(match.index, match.index + match[0].length).trim() } };
  }
  return best?.due ?? null;
}
