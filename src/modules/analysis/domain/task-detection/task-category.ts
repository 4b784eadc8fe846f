/**
 * What kind of work a task is. The action's verb decides first ("fix" is a bug, "add" a feature);
 * a verb that says nothing of the kind ("look at", "handle", "take care of") leaves it to the
 * words around it ("the broken date picker" is a bug).
 */
export type TaskCategory = 'bug' | 'feature' | 'improvement' | 'question' | 'chore';

/** Investigate or answer: a commitment to find something out. A bare question is no task at all. */
const QUESTION_VERBS = new Set(['investigate', 'dig', 'research', 'ask', 'answer', 'clarify', 'explore', 'diagnose', 'debug', 'troubleshoot']);
/** Verb + particle or next word that makes it an investigation ("look into", "find out", "check why"). */
const QUESTION_PHRASES: Record<string, readonly string[]> = {
  look: ['into'],
  find: ['out', 'why', 'whether', 'if', 'who', 'what', 'how', 'where', 'when'],
  figure: ['out'],
  check: ['why', 'whether', 'if', 'with', 'who', 'what', 'how'],
  get: ['back'],
  see: ['why', 'whether', 'if'],
};
const BUG_VERBS = new Set(['fix', 'hotfix', 'patch', 'repair', 'debug', 'resolve']);
const IMPROVEMENT_VERBS = new Set([
  'improve', 'optimise', 'optimize', 'speed', 'refactor', 'clean', 'simplify', 'polish', 'tune', 'tweak', 'rewrite', 'streamline', 'harden', 'enhance', 'rework', 'redesign', 'reduce', 'shorten',
]);
const FEATURE_VERBS = new Set(['add', 'implement', 'build', 'introduce', 'support', 'develop', 'launch']);
/** Verbs that do not say what kind of work it is. */
const GENERIC_VERBS = new Set(['look', 'handle', 'take', 'deal', 'sort', 'work', 'check', 'have', 'do', 'get', 'tackle', 'own', 'pick', 'finish', 'start']);

const BUG_WORDS = new Set([
  'bug', 'broken', 'break', 'crash', 'error', 'fail', 'failing', 'failure', 'regression', 'flaky', 'leak', 'wrong', 'typo', 'issue', 'hotfix', 'fix', 'blank', '404', '500', '502', '503', 'exception', 'glitch', 'defect', 'incorrect', 'duplicate', 'duplicated',
]);
const IMPROVEMENT_WORDS = new Set(['faster', 'slow', 'better', 'clearer', 'cleaner', 'performance', 'robust', 'ux', 'usability']);
const FEATURE_WORDS = new Set(['feature', 'new', 'support', 'integration']);

export interface CategoryEvidence {
  /** Lemma of the action's verb ("fix"). */
  verb: string;
  /** The lower-cased word after the verb ("into" in "look into"), if any. */
  next?: string;
  /** Lemmas of the words of the sentence (and title). */
  words: readonly string[];
  /** The words after the verb with their parts of speech: "make X faster" is an improvement, "make the slides" a chore. */
  after?: readonly { lemma: string; pos: string }[];
}

/** "make the sidebar collapsible", "make it run in the background", "make the retry logic more robust". */
function makesBetter(after: readonly { lemma: string; pos: string }[]): boolean {
  const clause = after.slice(0, 8);
  const end = clause.findIndex((t) => t.pos === 'PUNCT' || t.pos === 'CCONJ' || t.pos === 'SCONJ');
  const words = end < 0 ? clause : clause.slice(0, end);
  // An adjective that ends the object ("collapsible"), not one that opens it ("the new page").
  const resulting = (i: number) => words[i].pos === 'ADJ' && !['NOUN', 'PROPN', 'ADJ'].includes(words[i + 1]?.pos ?? '');
  return words.some((t, i) => i > 0 && (resulting(i) || t.pos === 'VERB' || t.lemma === 'more' || t.lemma === 'less'));
}

export function categorizeTask({ verb, next, words, after = [] }: CategoryEvidence): TaskCategory {
  if (QUESTION_VERBS.has(verb) && verb !== 'debug') return 'question';
  if (next && QUESTION_PHRASES[verb]?.includes(next)) return 'question';
  if (BUG_VERBS.has(verb)) return 'bug';
  if (IMPROVEMENT_VERBS.has(verb) || (verb === 'make' && makesBetter(after))) return 'improvement';
  if (FEATURE_VERBS.has(verb)) return 'feature';
  if (!GENERIC_VERBS.has(verb)) return 'chore';
  const has = (set: Set<string>) => words.some((w) => set.has(w));
  if (has(BUG_WORDS)) return 'bug';
  if (has(IMPROVEMENT_WORDS)) return 'improvement';
  if (has(FEATURE_WORDS)) return 'feature';
  return 'chore';
}
