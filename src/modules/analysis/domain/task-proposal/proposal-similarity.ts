/**
 * How a new proposal relates to what exists, so a re-run never duplicates:
 * - the same source messages as an existing proposal: the same proposal (its id is derived from
 *   them), linked to the new run;
 * - most of its messages in a pending proposal: that proposal, linked;
 * - most of its messages in a proposal already turned into a task: a new proposal recommending to
 *   update that task (`exact_messages`, the score is the share of shared messages);
 * - an open task with a near-identical title: the task, linked to the messages (no proposal);
 * - a similar open task: a new proposal recommending to update it (`semantic`, measured on
 *   titles: knowledge's search indexes messages, not tasks, so it cannot compare tasks);
 * - otherwise nothing similar.
 */
export const SAME_MESSAGES_OVERLAP = 0.5;
export const NEAR_IDENTICAL_TITLE = 0.8;
export const SIMILAR_TITLE = 0.5;

const STOP = new Set(['the', 'a', 'an', 'it', 'this', 'that', 'to', 'of', 'for', 'on', 'in', 'at', 'with', 'and', 'or', 'is', 'be', 'we', 'i', 'you', 'our', 'my', 'your']);

export function titleTerms(title: string): Set<string> {
  const words = title.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
  return new Set(words.filter((w) => !STOP.has(w)).map((w) => (w.length > 4 ? w.replace(/(ing|ed|es|s)$/, '') : w)));
}

/** Dice coefficient of the titles' content words (0..1). */
export function titleSimilarityScore(a: string, b: string): number {
  const x = titleTerms(a);
  const y = titleTerms(b);
  if (x.size === 0 || y.size === 0) return 0;
  let common = 0;
  for (const w of x) if (y.has(w)) common++;
  return Math.round(((2 * common) / (x.size + y.size)) * 100) / 100;
}

/** Share of `ids` found in `existing` (0..1). */
export function messageOverlap(ids: readonly string[], existing: readonly string[]): number {
  if (ids.length === 0) return 0;
  const set = new Set(existing);
  return ids.filter((id) => set.has(id)).length / ids.length;
}

export interface OpenTaskRef {
  id: string;
  title: string;
}

export interface ExistingProposalRef {
  id: string;
  messageIds: string[];
  status: 'pending' | 'approved' | 'rejected' | 'merged';
  /** The task it became (approved or merged). */
  taskId: string | null;
}

export type SimilarityDecision =
  | { kind: 'link-proposal'; proposalId: string; overlap: number }
  | { kind: 'link-task'; taskId: string; score: number }
  | { kind: 'new'; similarityType: 'exact_messages' | 'semantic' | 'none'; similarTaskId: string | null; score: number | null };

export function decideSimilarity(
  proposal: { title: string; messageIds: string[] },
  existingProposals: readonly ExistingProposalRef[],
  openTasks: readonly OpenTaskRef[],
): SimilarityDecision {
  let bestProposal: { p: ExistingProposalRef; overlap: number } | null = null;
  for (const p of existingProposals) {
    if (p.status === 'rejected') continue;
    const overlap = messageOverlap(proposal.messageIds, p.messageIds);
    if (overlap >= SAME_MESSAGES_OVERLAP && (!bestProposal || overlap > bestProposal.overlap)) bestProposal = { p, overlap };
  }
  if (bestProposal?.p.status === 'pending') return { kind: 'link-proposal', proposalId: bestProposal.p.id, overlap: bestProposal.overlap };
  if (bestProposal?.p.taskId) return { kind: 'new', similarityType: 'exact_messages', similarTaskId: bestProposal.p.taskId, score: Math.round(bestProposal.overlap * 100) / 100 };
  let bestTask: { id: string; score: number } | null = null;
  for (const t of openTasks) {
    const score = titleSimilarityScore(proposal.title, t.title);
    if (score >= SIMILAR_TITLE && (!bestTask || score > bestTask.score)) bestTask = { id: t.id, score };
  }
  if (bestTask && bestTask.score >= NEAR_IDENTICAL_TITLE) return { kind: 'link-task', taskId: bestTask.id, score: bestTask.score };
  if (bestTask) return { kind: 'new', similarityType: 'semantic', similarTaskId: bestTask.id, score: bestTask.score };
  return { kind: 'new', similarityType: 'none', similarTaskId: null, score: null };
}
