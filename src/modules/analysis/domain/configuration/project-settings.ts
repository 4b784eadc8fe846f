import { TASK_PRIORITIES } from '@modules/analysis/domain/task-proposal/task-proposals-answer.schema';

/**
 * The shapes of a project config's free-form fields (seed 003: JSONB), checked before they are
 * stored so the runs can rely on them: keywords a list of words, the glossary term -> meaning,
 * components a list of objects, priority rules `priority -> words that set it`
 * (`{ "critical": ["outage"], "high": ["customer", "deadline"] }`).
 */
export interface FieldProblem {
  field: string;
  message: string;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function glossaryProblems(glossary: unknown): FieldProblem[] {
  if (!isPlainObject(glossary)) return [{ field: 'glossary', message: 'must be an object of term -> meaning' }];
  return Object.entries(glossary)
    .filter(([term, meaning]) => term.trim() === '' || term.length > 200 || typeof meaning !== 'string' || meaning.length > 5000)
    .map(([term]) => ({ field: `glossary.${term}`, message: 'a term (1-200 characters) must map to a text of at most 5000 characters' }));
}

export function componentsProblems(components: unknown): FieldProblem[] {
  if (!Array.isArray(components)) return [{ field: 'components', message: 'must be a list of objects' }];
  return components.flatMap((c, i) => (isPlainObject(c) ? [] : [{ field: `components.${i}`, message: 'must be an object' }]));
}

export function priorityRulesProblems(rules: unknown): FieldProblem[] {
  if (!isPlainObject(rules)) return [{ field: 'priorityRules', message: `must be an object of priority (${TASK_PRIORITIES.join(', ')}) -> list of words` }];
  return Object.entries(rules).flatMap(([priority, words]) => {
    if (!(TASK_PRIORITIES as readonly string[]).includes(priority)) return [{ field: `priorityRules.${priority}`, message: `is not a priority (${TASK_PRIORITIES.join(', ')})` }];
    if (!Array.isArray(words) || !words.every((w) => typeof w === 'string' && w.trim() !== '' && w.length <= 200)) {
      return [{ field: `priorityRules.${priority}`, message: 'must be a list of non-empty words or phrases' }];
    }
    return [];
  });
}

/** Keywords trimmed, empty ones dropped, the same word (any case) once, first spelling kept. */
export function normaliseKeywords(keywords: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const k of keywords.map((w) => w.trim()).filter(Boolean)) {
    if (seen.has(k.toLowerCase())) continue;
    seen.add(k.toLowerCase());
    out.push(k);
  }
  return out;
}
