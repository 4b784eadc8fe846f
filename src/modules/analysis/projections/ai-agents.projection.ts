import { RecordedEvent } from '@libs/event-store/event-store.types';
import { RowHandler, RowProjection } from '@libs/eventsourcing/projections/row-projection';
import { AgentMemory, emptyMemory } from '@modules/analysis/domain/ai-agent/agent-memory';
import { AgentConfig, AiAgentEvent, isMemory } from '@modules/analysis/domain/ai-agent/ai-agent.decider';

type D<T extends AiAgentEvent['type']> = Extract<AiAgentEvent, { type: T }>['data'];

export interface AiAgentRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  /** The owner (seed: user_id). */
  user_id: string | null;
  name: string;
  description: string | null;
  type: string;
  config: AgentConfig;
  skills: string[];
  memory: AgentMemory;
  is_active: boolean;
  /** The agent's ETag. */
  stream_version: number;
  created_at: string | Date;
  updated_at: string | Date;
}

/** analysis_ai_agents_view (seed 004 ai_agents). Inline: the API reads its own writes. */
export class AiAgentsProjection extends RowProjection<AiAgentRow> {
  readonly name = 'analysis.ai-agents';
  readonly table = 'analysis_ai_agents_view';
  override readonly mode = 'inline' as const;

  override keyOf(e: RecordedEvent): string {
    return (e.data as { agentId: string }).agentId;
  }

  readonly handlers: Record<string, RowHandler<AiAgentRow>> = {
    'analysis.ai-agent-created': (r, e) => {
      if (r) return r;
      const d = e.data as D<'analysis.ai-agent-created'>;
      return {
        id: d.agentId,
        workspace_id: d.workspaceId,
        user_id: d.ownerId,
        name: d.name,
        description: d.description,
        type: d.agentType,
        config: d.config,
        skills: d.skills,
        memory: { entries: {} },
        is_active: true,
        stream_version: e.streamVersion,
        created_at: d.at,
        updated_at: d.at,
      };
    },
    'analysis.ai-agent-updated': (r, e) => {
      const d = e.data as D<'analysis.ai-agent-updated'>;
      if (!r) return null;
      return {
        ...r,
        name: d.name ?? r.name,
        description: d.description !== undefined ? d.description : r.description,
        type: d.agentType ?? r.type,
        config: d.config ?? r.config,
        skills: d.skills ?? r.skills,
        stream_version: e.streamVersion,
        updated_at: d.at,
      };
    },
    'analysis.ai-agent-activation-changed': (r, e) => {
      const d = e.data as D<'analysis.ai-agent-activation-changed'>;
      return r && { ...r, is_active: d.active, stream_version: e.streamVersion, updated_at: d.at };
    },
    'analysis.ai-agent-memory-updated': (r, e) => {
      const d = e.data as D<'analysis.ai-agent-memory-updated'>;
      return r && { ...r, memory: isMemory(d.memory) ? d.memory : emptyMemory(), stream_version: e.streamVersion, updated_at: d.at };
    },
    'analysis.ai-agent-deleted': () => null,
  };
}
