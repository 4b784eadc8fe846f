import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { AiAgentsError } from '@modules/analysis/domain/ai-agents.errors';
import { AgentConfig, AiAgentEvent, aiAgentDecider } from './ai-agent.decider';

const spec = DeciderSpecification(aiAgentDecider);
const now = new Date('2026-12-03T10:00:00.000Z');
const at = now.toISOString();
const agentId = 'a-1';
const config: AgentConfig = { providerId: 'p-1', model: 'builtin', prompt: 'You help support.', parameters: { temperature: 0.2 }, schedule: null, events: [] };
const created: AiAgentEvent = {
  type: 'analysis.ai-agent-created',
  data: { agentId, workspaceId: 'ws-1', ownerId: 'u-1', name: 'Helper', description: null, agentType: 'assistant', config, skills: ['summarize'], at },
};
const remembered: AiAgentEvent = {
  type: 'analysis.ai-agent-memory-updated',
  data: { agentId, ownerId: 'u-1', executionId: 'e-1', memory: { entries: { tone: { value: 'formal', updatedAt: at, executionId: 'e-1' } } }, changed: ['tone'], evicted: [], at },
};

describe('AI agent decider', () => {
  it('creates an active agent with its owner, type, config and skills; a retried create records nothing', () => {
    spec.given([]).when({ kind: 'create', ...created.data, now }).then([created]);
    spec.given([created]).when({ kind: 'create', ...created.data, now }).thenNothingHappened();
  });

  it('records only the fields an update gives, and nothing for an empty one', () => {
    spec.given([created]).when({ kind: 'update', workspaceId: 'ws-1', changes: { name: 'Support helper', skills: ['summarize', 'remember'], description: undefined }, now }).then([
      { type: 'analysis.ai-agent-updated', data: { agentId, ownerId: 'u-1', name: 'Support helper', skills: ['summarize', 'remember'], at } },
    ]);
    spec.given([created]).when({ kind: 'update', workspaceId: 'ws-1', changes: {}, now }).thenNothingHappened();
  });

  it('deactivates and reactivates, and does nothing when already so', () => {
    const off: AiAgentEvent = { type: 'analysis.ai-agent-activation-changed', data: { agentId, ownerId: 'u-1', active: false, at } };
    spec.given([created]).when({ kind: 'set-active', workspaceId: 'ws-1', active: false, now }).then([off]);
    spec.given([created, off]).when({ kind: 'set-active', workspaceId: 'ws-1', active: false, now }).thenNothingHappened();
    spec.given([created, off]).when({ kind: 'set-active', workspaceId: 'ws-1', active: true, now }).then([{ type: 'analysis.ai-agent-activation-changed', data: { agentId, ownerId: 'u-1', active: true, at } }]);
  });

  it('updates memory from an execution with the whole bounded memory, and records nothing when nothing changes', () => {
    spec.given([created]).when({ kind: 'update-memory', workspaceId: 'ws-1', executionId: 'e-1', changes: { set: [{ key: 'tone', value: 'formal' }], forget: [] }, now }).then([remembered]);
    spec.given([created, remembered]).when({ kind: 'update-memory', workspaceId: 'ws-1', executionId: 'e-2', changes: { set: [{ key: 'tone', value: 'formal' }], forget: ['unknown'] }, now }).thenNothingHappened();
  });

  it('clears the memory', () => {
    spec.given([created, remembered]).when({ kind: 'clear-memory', workspaceId: 'ws-1', now }).then([
      { type: 'analysis.ai-agent-memory-updated', data: { agentId, ownerId: 'u-1', executionId: null, memory: { entries: {} }, changed: ['tone'], evicted: [], at } },
    ]);
    spec.given([created]).when({ kind: 'clear-memory', workspaceId: 'ws-1', now }).thenNothingHappened();
  });

  it('answers not found for another workspace or no agent', () => {
    spec.given([created]).when({ kind: 'set-active', workspaceId: 'ws-2', active: false, now }).thenThrows(AiAgentsError, (e) => expect(e.code).toBe('ANALYSIS.AGENT_NOT_FOUND'));
    spec.given([]).when({ kind: 'clear-memory', workspaceId: 'ws-1', now }).thenThrows(AiAgentsError);
  });

  it('deletes once (a repeat records nothing); a deleted agent is not found to every other command; another workspace cannot delete it', () => {
    const deleted: AiAgentEvent = { type: 'analysis.ai-agent-deleted', data: { agentId, ownerId: 'u-1', workspaceId: 'ws-1', name: 'Helper', at } };
    spec.given([created, remembered]).when({ kind: 'delete', workspaceId: 'ws-1', now }).then([deleted]);
    spec.given([created, deleted]).when({ kind: 'delete', workspaceId: 'ws-1', now }).thenNothingHappened();
    spec.given([created]).when({ kind: 'delete', workspaceId: 'ws-2', now }).thenThrows(AiAgentsError, (e) => expect(e.code).toBe('ANALYSIS.AGENT_NOT_FOUND'));
    spec.given([created, deleted]).when({ kind: 'update-memory', workspaceId: 'ws-1', executionId: 'e-2', changes: { set: [{ key: 'k', value: 'v' }], forget: [] }, now }).thenThrows(AiAgentsError);
    spec.given([created, deleted]).when({ kind: 'set-active', workspaceId: 'ws-1', active: true, now }).thenThrows(AiAgentsError);
  });

  it('reads an erased owner\'s memory (the log says [erased]) as empty: nothing to forget', () => {
    const erased = { ...remembered, data: { ...remembered.data, memory: '[erased]' as unknown as typeof remembered.data.memory } } as AiAgentEvent;
    spec.given([created, erased]).when({ kind: 'clear-memory', workspaceId: 'ws-1', now }).thenNothingHappened();
  });
});
