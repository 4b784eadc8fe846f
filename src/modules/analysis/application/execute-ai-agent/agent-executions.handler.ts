import { Injectable } from '@nestjs/common';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { CommandMetadata, scopedIdempotencyKey } from '@libs/eventsourcing/command-metadata';
import { AiAgentsError, AiAgentsErrorCode as Code } from '@modules/analysis/domain/ai-agents.errors';
import { AiAgentsAggregates, newEntityId } from '@modules/analysis/infrastructure/ai-agents.aggregates';
import { AiAgentsQueries } from '@modules/analysis/infrastructure/ai-agents.queries';
import type { AgentExecutionRow } from '@modules/analysis/projections/agent-executions.projection';
import { ownedAgent } from '@modules/analysis/application/manage-ai-agents/ai-agents.handler';
import { EXECUTION_INPUT_MAX_BYTES } from './agent-executions.request.dto';

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

export function executionResponse(r: AgentExecutionRow) {
  return {
    id: r.id,
    agentId: r.agent_id,
    triggerType: r.trigger_type,
    triggerData: r.trigger_data,
    status: r.status,
    input: r.input,
    output: r.output,
    error: r.error,
    requestedBy: r.requested_by,
    createdAt: iso(r.created_at),
    startedAt: iso(r.started_at),
    completedAt: iso(r.completed_at),
    /** Wall time from start to end, when it ended. */
    durationMs: r.started_at && r.completed_at ? new Date(r.completed_at as string).getTime() - new Date(r.started_at as string).getTime() : null,
  };
}

@Injectable()
export class AgentExecutionsHandler {
  constructor(
    private readonly aggregates: AiAgentsAggregates,
    private readonly queries: AiAgentsQueries,
  ) {}

  /** A manual run: recorded pending; the dispatcher queues it (202). */
  async requestManual(workspaceId: string, agentId: string, input: Record<string, unknown>, meta: CommandMetadata, owner: string | null) {
    const agent = await ownedAgent(this.queries, workspaceId, agentId, owner);
    if (!agent.is_active) throw new AiAgentsError(Code.AgentInactive, 'This agent is inactive', { agentId });
    if (Buffer.byteLength(JSON.stringify(input)) > EXECUTION_INPUT_MAX_BYTES) {
      throw new ValidationFailedError('The input is too large', [{ field: 'input', message: `must be at most ${EXECUTION_INPUT_MAX_BYTES} bytes of JSON` }]);
    }
    const executionId = newEntityId('agent-execution', workspaceId, scopedIdempotencyKey(meta), { agentId, input });
    await this.aggregates.execution.handle(
      executionId,
      { kind: 'request', executionId, agentId, ownerId: agent.user_id, workspaceId, triggerType: 'manual', triggerData: null, input, requestedBy: owner, now: meta.now },
      meta,
      { fingerprint: { agentId, input } },
    );
    return executionResponse((await this.queries.execution(workspaceId, executionId))!);
  }

  async get(workspaceId: string, agentId: string, executionId: string, owner: string | null) {
    await ownedAgent(this.queries, workspaceId, agentId, owner);
    const row = await this.queries.execution(workspaceId, executionId);
    if (!row || row.agent_id !== agentId) throw new AiAgentsError(Code.ExecutionNotFound, 'No such execution', { executionId });
    return executionResponse(row);
  }

  async list(workspaceId: string, agentId: string, owner: string | null, page: { limit: number; cursor?: string; status?: string; trigger?: string }) {
    await ownedAgent(this.queries, workspaceId, agentId, owner);
    const rows = await this.queries.executions(workspaceId, agentId, page);
    return { items: rows.items.map(executionResponse), nextCursor: rows.nextCursor };
  }
}
