import { TaggedToken } from './tagged-sentence';

/**
 * A task's title: the action's verb and what it acts on ("Fix the export"), cut before the
 * deadline, the politeness and the next clause, so two messages about the same work get titles
 * that compare well.
 */
export const MAX_TITLE_WORDS = 10;

const TIME_WORDS = new Set(['today', 'tomorrow', 'tmrw', 'tmr', 'tonight', 'eod', 'eow', 'asap', 'cob', 'urgently', 'now', 'soon', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);
const BEFORE_TIME = new Set(['by', 'before', 'until', 'till', 'on', 'this', 'next', 'in', 'within', 'end', 'for']);
const MONTHS = /^(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?$/;
const POLITENESS = new Set(['please', 'pls', 'plz', 'kindly', 'thanks', 'thx', 'thank']);
/** Words that open another clause: the title ends before them. */
const CLAUSE_BREAKS = new Set(['so', 'because', 'since', 'but', 'as', 'if', 'when', 'while', 'then', 'otherwise', 'though', 'although', 'cause', 'cuz', 'coz']);
const TRAILING_DROPS = new Set(['ADP', 'DET', 'CCONJ', 'SCONJ', 'PART', 'AUX']);
const PRONOUNS = new Set(['it', 'this', 'that', 'them', 'these', 'those', 'one']);

const isTime = (t: TaggedToken | undefined) => t !== undefined && (TIME_WORDS.has(t.normal) || MONTHS.test(t.normal) || /^\d{1,2}(:\d{2})?(am|pm)?$/.test(t.normal) || t.normal === 'end');

function endsTitle(tokens: readonly TaggedToken[], i: number): boolean {
  const t = tokens[i];
  if (t.kind === 'punctuation' && t.value !== '-' && t.value !== '/' && t.value !== "'" && t.value !== '.' ) return true;
  if (t.kind === 'punctuation' && t.value === '.') return true;
  if (t.kind === 'emoji' || t.kind === 'mention') return true;
  if (POLITENESS.has(t.normal) || CLAUSE_BREAKS.has(t.normal)) return true;
  if (isTime(t) && t.normal !== 'end') return true;
  if (BEFORE_TIME.has(t.normal) && (isTime(tokens[i + 1]) || (tokens[i + 1]?.normal === 'the' && isTime(tokens[i + 2])) || tokens[i + 1]?.normal === 'next' || tokens[i + 1]?.normal === 'this')) return true;
  // "... and report back", "... and let you know": a second verb after "and" is a second step.
  if ((t.normal === 'and' || t.normal === 'or') && (tokens[i + 1]?.pos === 'PRON' || tokens[i + 1]?.pos === 'VERB' || tokens[i + 1]?.pos === 'AUX')) return true;
  return false;
}

export interface TaskTitle {
  title: string;
  /** The title names nothing to act on besides a pronoun ("Fix it", "Look into it"). */
  vague: boolean;
}

export function taskTitle(tokens: readonly TaggedToken[], action: number): TaskTitle {
  const words: TaggedToken[] = [];
  for (let i = action; i < tokens.length && words.length < MAX_TITLE_WORDS; i++) {
    if (i > action && endsTitle(tokens, i)) break;
    words.push(tokens[i]);
  }
  while (words.length > 1 && TRAILING_DROPS.has(words[words.length - 1].pos) && words[words.length - 1].normal !== 'out' && words[words.length - 1].normal !== 'up') words.pop();
  const text = words
    .map((t) => t.value)
    .join(' ')
    .replace(/ (n't|'s|'re|'ve|'ll|'d|'m|’s)\b/g, '$1')
    .replace(/ ([,.;:!?%)])/g, '$1')
    .replace(/\( /g, '(');
  const title = text.charAt(0).toUpperCase() + text.slice(1);
  const objects = words.slice(1).filter((t) => t.kind !== 'punctuation' && !['ADP', 'DET', 'PART'].includes(t.pos));
  return { title, vague: objects.every((t) => PRONOUNS.has(t.normal) || t.pos === 'PRON') };
}
