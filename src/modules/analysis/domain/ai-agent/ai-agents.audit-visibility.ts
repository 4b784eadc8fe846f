import type { AuditVisibilityDeclaration } from '@libs/event-store/audit-visibility';

/**
 * An AI agent is its owner's (seed 004 ai_agents.user_id), like an Ask conversation: its config,
 * its memory (what its owner told it to keep) and its executions (their inputs and answers) are
 * shown by the API to the owner only, so no reader of the log (workspace admins, API keys, the
 * operator, platform superusers) sees their events either. Every one of these events carries
 * `ownerId` in clear for that.
 */
export const aiAgentsAuditVisibility: Record<string, AuditVisibilityDeclaration> = Object.fromEntries(
  [
    'analysis.ai-agent-created',
    'analysis.ai-agent-updated',
    'analysis.ai-agent-activation-changed',
    'analysis.ai-agent-memory-updated',
    'analysis.ai-agent-deleted',
    'analysis.agent-execution-requested',
    'analysis.agent-execution-started',
    'analysis.agent-execution-completed',
    'analysis.agent-execution-failed',
  ].map((type) => [type, { privateTo: 'ownerId' }]),
);

/**
 * What the owner wrote or was answered is theirs (crypto-shredded with them, GDPR art. 17): the
 * system prompt, the memory, each execution's input and output. Once the owner is erased the log
 * reads '[erased]' for them, and eraseAgentOwners clears the read models in the same transaction.
 */
export const aiAgentsPersonalData: Record<string, { subject: string; fields: string[] }> = {
  'analysis.ai-agent-created': { subject: 'ownerId', fields: ['config.prompt'] },
  'analysis.ai-agent-updated': { subject: 'ownerId', fields: ['config.prompt'] },
  'analysis.ai-agent-memory-updated': { subject: 'ownerId', fields: ['memory'] },
  'analysis.agent-execution-requested': { subject: 'ownerId', fields: ['input'] },
  'analysis.agent-execution-completed': { subject: 'ownerId', fields: ['output'] },
};
