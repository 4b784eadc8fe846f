import type { TaskPriority } from '@modules/analysis/domain/task/task.events';

/**
 * Which project a proposal belongs to: the project whose keywords (and glossary terms and
 * component names) its words match most. Confidence grows with the matches and drops when
 * another project matches nearly as well. The project's `priority_rules` then set the priority:
 * a rule level whose words appear raises the priority to that level (never lowers it).
 */
export interface ClassifiableProject {
  id: string;
  keywords: string[];
  glossary: Record<string, string>;
  components: Record<string, unknown>[];
  priorityRules: Record<string, unknown>;
}

export interface ProjectClassification {
  projectId: string | null;
  confidence: number;
  keywordsMatched: string[];
}

const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

function mentions(text: string, term: string): boolean {
  const t = fold(term).trim();
  if (!t) return false;
  const escaped = t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[^\\p{L}\\p{N}])${escaped}(?:$|[^\\p{L}\\p{N}])`, 'u').test(text);
}

function termsOf(p: ClassifiableProject): string[] {
  const components = p.components.map((c) => (typeof c.name === 'string' ? c.name : null)).filter((n): n is string => !!n);
  return [...new Set([...p.keywords, ...Object.keys(p.glossary), ...components])];
}

export function classifyProject(text: string, projects: readonly ClassifiableProject[]): ProjectClassification {
  const folded = fold(text);
  const scored = projects
    .map((p) => ({ p, matched: termsOf(p).filter((k) => mentions(folded, k)) }))
    .filter((s) => s.matched.length > 0)
    .sort((a, b) => b.matched.length - a.matched.length || a.p.id.localeCompare(b.p.id));
  if (scored.length === 0) return { projectId: null, confidence: 0, keywordsMatched: [] };
  const [best, second] = scored;
  // One match is a hint (0.5), three or more are strong (0.9); a close runner-up halves the margin.
  let confidence = Math.min(0.9, 0.3 + 0.2 * best.matched.length);
  if (second) confidence *= 1 - second.matched.length / (best.matched.length * 2);
  return { projectId: best.p.id, confidence: Math.round(confidence * 100) / 100, keywordsMatched: best.matched };
}

const RANK: Record<TaskPriority, number> = { low: 0, medium: 1, high: 2, critical: 3 };
const LEVELS = Object.keys(RANK) as TaskPriority[];

/** `{ "critical": ["outage"], "high": ["customer", "deadline"] }`: the highest level whose words appear, if above `priority`. */
export function applyPriorityRules(text: string, priority: TaskPriority, rules: Record<string, unknown>): { priority: TaskPriority; rule: string | null } {
  const folded = fold(text);
  let out = priority;
  let rule: string | null = null;
  for (const level of LEVELS) {
    const words = rules[level];
    if (!Array.isArray(words)) continue;
    const hit = words.find((w): w is string => typeof w === 'string' && mentions(folded, w));
    if (hit && RANK[level] > RANK[out]) {
      out = level;
      rule = `${level}: "${hit}"`;
    }
  }
  return { priority: out, rule };
}
