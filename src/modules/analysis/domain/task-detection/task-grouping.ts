import { TaskCategory } from './task-category';
import { TaskKind } from './task-cues';
import { higherPriority, TaskPriority } from './task-priority';

/** One message's sentence proposing a task, before messages of a thread are grouped. */
export interface TaskCandidate {
  /** Messages of one thread may propose the same task; messages of different threads never group. */
  threadKey: string;
  messageId: string;
  /** Position of the message in the conversation (later messages update a due date). */
  order: number;
  quote: string;
  title: string;
  /** Names nothing but a pronoun ("I'll do it", "on it"): it can only confirm a task already proposed. */
  vague: boolean;
  /** An acceptance with no task of its own ("will do", "on it"): dropped unless it joins one. */
  acceptanceOnly?: boolean;
  description: string;
  kind: TaskKind;
  confidence: number;
  reasoning: readonly string[];
  priority: TaskPriority;
  category: TaskCategory;
  ownerId: string | null;
  dueDate: string | null;
  duePhrase: string | null;
  tags: readonly string[];
}

export interface TaskSource {
  messageId: string;
  quote: string;
}

export interface DetectedTask {
  title: string;
  description: string;
  sources: TaskSource[];
  confidence: number;
  reasoning: string[];
  priority: TaskPriority;
  category: TaskCategory;
  ownerId: string | null;
  /** YYYY-MM-DD, only when a message states it. */
  dueDate: string | null;
  duePhrase: string | null;
  tags: string[];
}

/** Titles at least this similar (Jaccard of their content words) within a thread are one task. */
export const SAME_TASK_SIMILARITY = 0.5;
/** Each further message agreeing on a task adds this much confidence. */
const AGREEMENT_BONUS = 0.05;
const MAX_CONFIDENCE = 0.97;

const TITLE_STOP = new Set(['the', 'a', 'an', 'it', 'this', 'that', 'them', 'to', 'of', 'for', 'on', 'in', 'at', 'with', 'my', 'our', 'your', 'me', 'us', 'and', 'or', 'up', 'out', 'some', 'all', 'new', 'again']);

/** Content words of a title, crudely stemmed: "Fixing the exports" and "fix export" compare equal. */
export function titleWords(title: string): Set<string> {
  const words = title.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
  return new Set(words.filter((w) => !TITLE_STOP.has(w)).map((w) => (w.length > 4 ? w.replace(/(ing|ed|es|s)$/, '') : w)));
}

export function titleSimilarity(a: string, b: string): number {
  const x = titleWords(a);
  const y = titleWords(b);
  if (x.size === 0 || y.size === 0) return 0;
  let shared = 0;
  for (const w of x) if (y.has(w)) shared++;
  return shared / (x.size + y.size - shared);
}

interface Group {
  threadKey: string;
  members: TaskCandidate[];
}

const round = (value: number) => Math.round(value * 100) / 100;

function merge(group: Group): DetectedTask {
  const items = group.members;
  const lead = items.find((c) => !c.vague) ?? items[0];
  const sources: TaskSource[] = [];
  for (const c of items) if (!sources.some((s) => s.messageId === c.messageId)) sources.push({ messageId: c.messageId, quote: c.quote });
  const confidence = Math.min(MAX_CONFIDENCE, Math.max(...items.map((c) => c.confidence)) + AGREEMENT_BONUS * (sources.length - 1));
  // Who took it on outranks whom it was asked of; else the first person it was given to.
  const owner = items.find((c) => c.kind === 'commitment' && c.ownerId)?.ownerId ?? items.find((c) => c.ownerId)?.ownerId ?? null;
  // A later message moves a deadline ("actually, by Monday").
  const dated = [...items].reverse().find((c) => c.dueDate);
  const descriptions = [...new Set(items.map((c) => c.description))];
  const reasoning = [...new Set(items.flatMap((c) => (sources.length > 1 ? c.reasoning.map((r) => `${c.messageId}: ${r}`) : c.reasoning)))];
  if (sources.length > 1) reasoning.push(`${sources.length} messages of the thread propose it`);
  return {
    title: lead.title,
    description: descriptions.join('\n\n'),
    sources,
    confidence: round(confidence),
    reasoning,
    priority: items.map((c) => c.priority).reduce(higherPriority),
    category: lead.category,
    ownerId: owner,
    dueDate: dated?.dueDate ?? null,
    duePhrase: dated?.duePhrase ?? null,
    tags: [...new Set(items.flatMap((c) => c.tags))],
  };
}

/**
 * Candidates of one thread that propose the same task become one proposal: titles alike, or a
 * vague confirmation ("sure, I'll do it") of the latest task the thread proposed, given to no one
 * else. Candidates come in conversation order.
 */
export function groupTaskCandidates(candidates: readonly TaskCandidate[]): DetectedTask[] {
  const groups: Group[] = [];
  for (const candidate of candidates) {
    const thread = groups.filter((g) => g.threadKey === candidate.threadKey);
    let target = thread.find((g) => g.members.some((m) => !m.vague && !candidate.vague && titleSimilarity(m.title, candidate.title) >= SAME_TASK_SIMILARITY));
    if (!target && candidate.vague) {
      const latest = thread[thread.length - 1];
      const latestOwner = latest?.members.find((m) => m.ownerId)?.ownerId ?? null;
      if (latest && (latestOwner === null || latestOwner === candidate.ownerId)) target = latest;
    }
    if (target) target.members.push(candidate);
    else if (!candidate.acceptanceOnly) groups.push({ threadKey: candidate.threadKey, members: [candidate] });
  }
  return groups.map(merge);
}
