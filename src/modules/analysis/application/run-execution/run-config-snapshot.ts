import type { AssignmentSnapshot, ProjectConfigSnapshot } from '@modules/analysis/application/analysis-models';

/** What a run froze at its start (config_snapshot): later edits of the configuration do not change a running run. */
export interface RunConfigSnapshot {
  /** builtin: the offline task detector; llm: the assignment's provider and model. */
  engine: 'builtin' | 'llm';
  assignment: AssignmentSnapshot;
  /** The project the run was asked for, if any. */
  project: ProjectConfigSnapshot | null;
  /** Projects proposals are classified against: the run's project, else every active one. */
  projects: ProjectConfigSnapshot[];
  batching: { tokenBudget: number; maxMessagesPerBatch: number };
  detector: { threshold: number };
}

/**
 * Tokens of messages per batch, and messages at most: a model's context bounds the LLM path; the
 * built-in engine has none, so it reads fewer, larger batches (each batch is a saga step, ~50 ms
 * of bookkeeping; 1,000 messages take the detector ~0.3 s).
 */
export const DEFAULT_BATCH_TOKEN_BUDGET = { llm: 3000, builtin: 40000 } as const;
export const MAX_MESSAGES_PER_BATCH_OF = { llm: 200, builtin: 1000 } as const;

/** How many tokens a message costs the agent, estimated from its length (about 4 characters a token) plus its header line. */
export const estimateMessageTokens = (chars: number) => Math.ceil(Math.min(chars, MAX_MESSAGE_CHARS) / 4) + 12;

/** A message longer than this is read cut (the agent sees its start). */
export const MAX_MESSAGE_CHARS = 4000;
