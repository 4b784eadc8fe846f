import { assertNever, Decider } from '@libs/eventsourcing/decider';
import { AiAgentsError, AiAgentsErrorCode as Code } from '@modules/analysis/domain/ai-agents.errors';
import { AgentMemory, applyMemoryChanges, emptyMemory, MemoryChanges } from './agent-memory';

/**
 * An AI agent (seed 004 ai_agents): a named, typed assistant of a workspace owned by the user
 * who made it, with a model configuration, skills, triggers and a persistent memory that its
 * executions read and update. Triggers live in the config: `schedule` (a cron, UTC: the agent is
 * a scheduled job) and `events` (event types: each matching event starts an execution).
 */
export const AGENT_TYPES = ['assistant', 'enrichment', 'email'] as const;
export type AgentType = (typeof AGENT_TYPES)[number];

export interface AgentConfig {
  providerId: string;
  model: string;
  /** The system prompt. */
  prompt: string;
  parameters: { temperature?: number; maxTokens?: number };
  /** A cron expression (UTC) or null. */
  schedule: string | null;
  /** Event types (e.g. `ingestion.message-ingested`) that start an execution. */
  events: string[];
}

/**
 * Every event names the agent's owner (`ownerId`, in clear): an agent, its memory and its
 * executions are its owner's, and the log hides them from everyone else (privateTo, see
 * aiAgentsAuditVisibility).
 */
export type AiAgentEvent =
  | {
      type: 'analysis.ai-agent-created';
      data: { agentId: string; workspaceId: string; ownerId: string | null; name: string; description: string | null; agentType: AgentType; config: AgentConfig; skills: string[]; at: string };
    }
  | {
      type: 'analysis.ai-agent-updated';
      data: { agentId: string; ownerId: string | null; name?: string; description?: string | null; agentType?: AgentType; config?: AgentConfig; skills?: string[]; at: string };
    }
  | { type: 'analysis.ai-agent-activation-changed'; data: { agentId: string; ownerId: string | null; active: boolean; at: string } }
  | {
      type: 'analysis.ai-agent-memory-updated';
      /** The whole memory after the change (bounded, see agent-memory.ts): the read model needs no history. */
      data: { agentId: string; ownerId: string | null; executionId: string | null; memory: AgentMemory; changed: string[]; evicted: string[]; at: string };
    }
  /** Deleted by its owner: the name is free again, its memory gone from the read model; its executions stay in the log. */
  | { type: 'analysis.ai-agent-deleted'; data: { agentId: string; ownerId: string | null; workspaceId: string; name: string; at: string } };

export type AiAgentState =
  | { status: 'none' }
  | { status: 'created' | 'deleted'; agentId: string; workspaceId: string; ownerId: string | null; name: string; active: boolean; memory: AgentMemory };

export interface AgentChanges {
  name?: string;
  description?: string | null;
  agentType?: AgentType;
  config?: AgentConfig;
  skills?: string[];
}

export type AiAgentCommand =
  | { kind: 'create'; agentId: string; workspaceId: string; ownerId: string | null; name: string; description: string | null; agentType: AgentType; config: AgentConfig; skills: string[]; now: Date }
  | { kind: 'update'; workspaceId: string; changes: AgentChanges; now: Date }
  | { kind: 'set-active'; workspaceId: string; active: boolean; now: Date }
  | { kind: 'update-memory'; workspaceId: string; changes: MemoryChanges; executionId: string | null; now: Date }
  | { kind: 'clear-memory'; workspaceId: string; now: Date }
  | { kind: 'delete'; workspaceId: string; now: Date };

function mine(s: AiAgentState, workspaceId: string) {
  // Another workspace's agent (or a deleted one) is "not found", never "forbidden".
  if (s.status !== 'created' || s.workspaceId !== workspaceId) throw new AiAgentsError(Code.AgentNotFound, 'No such agent');
  return s;
}

/** A memory as the log holds it (an erased owner's reads as the string '[erased]'). */
export function isMemory(m: unknown): m is AgentMemory {
  return m !== null && typeof m === 'object' && typeof (m as AgentMemory).entries === 'object' && (m as AgentMemory).entries !== null;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export const aiAgentDecider: Decider<AiAgentCommand, AiAgentState, AiAgentEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (s, e) => {
    switch (e.type) {
      case 'analysis.ai-agent-created':
        return { status: 'created', agentId: e.data.agentId, workspaceId: e.data.workspaceId, ownerId: e.data.ownerId, name: e.data.name, active: true, memory: emptyMemory() };
      case 'analysis.ai-agent-updated':
        return s.status === 'none' ? s : { ...s, name: e.data.name ?? s.name };
      case 'analysis.ai-agent-activation-changed':
        return s.status === 'none' ? s : { ...s, active: e.data.active };
      case 'analysis.ai-agent-memory-updated':
        // Once its owner is erased the log reads '[erased]' for the memory: nothing is remembered.
        return s.status === 'none' ? s : { ...s, memory: isMemory(e.data.memory) ? e.data.memory : emptyMemory() };
      case 'analysis.ai-agent-deleted':
        return s.status === 'none' ? s : { ...s, status: 'deleted', active: false, memory: emptyMemory() };
      default:
        return assertNever(e);
    }
  },
  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'create': {
        // A retry under the same Idempotency-Key names the same agent.
        if (s.status !== 'none') return [];
        const { kind: _kind, now: _now, ...data } = c;
        return { type: 'analysis.ai-agent-created', data: { ...data, at } };
      }
      case 'update': {
        const a = mine(s, c.workspaceId);
        const changes = Object.fromEntries(Object.entries(c.changes).filter(([, v]) => v !== undefined)) as AgentChanges;
        if (Object.keys(changes).length === 0) return [];
        return { type: 'analysis.ai-agent-updated', data: { agentId: a.agentId, ownerId: a.ownerId, ...changes, at } };
      }
      case 'set-active': {
        const a = mine(s, c.workspaceId);
        return a.active === c.active ? [] : { type: 'analysis.ai-agent-activation-changed', data: { agentId: a.agentId, ownerId: a.ownerId, active: c.active, at } };
      }
      case 'update-memory': {
        const a = mine(s, c.workspaceId);
        const update = applyMemoryChanges(a.memory, c.changes, { at, executionId: c.executionId });
        if (update.changed.length === 0 && update.evicted.length === 0 && same(update.memory, a.memory)) return [];
        return { type: 'analysis.ai-agent-memory-updated', data: { agentId: a.agentId, ownerId: a.ownerId, executionId: c.executionId, memory: update.memory, changed: update.changed, evicted: update.evicted, at } };
      }
      case 'clear-memory': {
        const a = mine(s, c.workspaceId);
        const keys = Object.keys(a.memory.entries);
        if (keys.length === 0) return [];
        return { type: 'analysis.ai-agent-memory-updated', data: { agentId: a.agentId, ownerId: a.ownerId, executionId: null, memory: emptyMemory(), changed: keys, evicted: [], at } };
      }
      case 'delete': {
        // A retried DELETE finds it gone: nothing more to record (idempotent, like HTTP DELETE).
        if (s.status === 'deleted' && s.workspaceId === c.workspaceId) return [];
        const a = mine(s, c.workspaceId);
        return { type: 'analysis.ai-agent-deleted', data: { agentId: a.agentId, ownerId: a.ownerId, workspaceId: a.workspaceId, name: a.name, at } };
      }
      default:
        return assertNever(c);
    }
  },
};
