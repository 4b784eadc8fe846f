/**
 * Which messages of a window a run reads, and in which batches. Ingestion's noise classification
 * drops what carries nothing a person said (`noise`, `spam`: given only on strong evidence, see
 * the README); everything else is read, a message not classified yet included. Batches are
 * filled in time order up to a token budget, keeping a thread together when it fits, so the
 * agent sees a conversation rather than scattered lines.
 */
export interface BatchableMessage {
  id: string;
  threadId: string | null;
  noiseClassification: string | null;
  /** Estimated tokens of the message as the agent will read it. */
  tokens: number;
}

export const DROPPED_NOISE_LABELS: readonly string[] = ['noise', 'spam'];

export interface Prefiltered<M> {
  kept: M[];
  droppedByLabel: Record<string, number>;
}

export function prefilterNoise<M extends Pick<BatchableMessage, 'noiseClassification'>>(messages: readonly M[]): Prefiltered<M> {
  const kept: M[] = [];
  const droppedByLabel: Record<string, number> = {};
  for (const m of messages) {
    if (m.noiseClassification && DROPPED_NOISE_LABELS.includes(m.noiseClassification)) droppedByLabel[m.noiseClassification] = (droppedByLabel[m.noiseClassification] ?? 0) + 1;
    else kept.push(m);
  }
  return { kept, droppedByLabel };
}

export interface PlannedBatch {
  messageIds: string[];
  estimatedTokens: number;
}

/**
 * Greedy packing by token budget: messages of one thread go into the batch where the thread
 * started while it has room; a message bigger than the budget is a batch of its own (the agent
 * reads it cut, never skips it). The order of batches follows the first message of each.
 */
export function batchByTokenBudget(messages: readonly Pick<BatchableMessage, 'id' | 'threadId' | 'tokens'>[], budget: number, maxMessages = 200): PlannedBatch[] {
  if (!(budget > 0)) throw new RangeError('the token budget must be positive');
  const batches: PlannedBatch[] = [];
  const threadBatch = new Map<string, number>();
  let open = -1;
  for (const m of messages) {
    const tokens = Math.max(1, m.tokens);
    const home = m.threadId ? threadBatch.get(m.threadId) : undefined;
    if (home !== undefined && fits(batches[home], tokens, budget, maxMessages)) {
      add(batches[home], m.id, tokens);
      continue;
    }
    if (open < 0 || !fits(batches[open], tokens, budget, maxMessages)) {
      batches.push({ messageIds: [], estimatedTokens: 0 });
      open = batches.length - 1;
    }
    add(batches[open], m.id, tokens);
    if (m.threadId) threadBatch.set(m.threadId, open);
  }
  return batches;
}

function fits(batch: PlannedBatch, tokens: number, budget: number, maxMessages: number): boolean {
  return batch.messageIds.length < maxMessages && (batch.messageIds.length === 0 || batch.estimatedTokens + tokens <= budget);
}

function add(batch: PlannedBatch, id: string, tokens: number): void {
  batch.messageIds.push(id);
  batch.estimatedTokens += tokens;
}
