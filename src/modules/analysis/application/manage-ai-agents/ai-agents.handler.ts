import { Injectable } from '@nestjs/common';
import { CronTime } from 'cron';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { CommandMetadata, scopedIdempotencyKey } from '@libs/eventsourcing/command-metadata';
import { AnalysisModels } from '@modules/analysis/application/analysis-models';
import { AgentConfig } from '@modules/analysis/domain/ai-agent/ai-agent.decider';
import { AiAgentsError, AiAgentsErrorCode as Code } from '@modules/analysis/domain/ai-agents.errors';
import { AiAgentsAggregates, newEntityId } from '@modules/analysis/infrastructure/ai-agents.aggregates';
import { AiAgentsQueries } from '@modules/analysis/infrastructure/ai-agents.queries';
import type { AiAgentRow } from '@modules/analysis/projections/ai-agents.projection';
import { AgentSchedules } from '@modules/analysis/application/execute-ai-agent/agent-schedules';
import { AgentConfigDto, CreateAgentRequestDto, UpdateAgentRequestDto } from './ai-agents.request.dto';

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

/** Event types an agent may not run on: its own executions and agents (it would trigger itself without end). */
const SELF_TRIGGERING = /^analysis\.(agent-|ai-agent-)/;

export function agentResponse(r: AiAgentRow) {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    type: r.type,
    config: r.config,
    skills: r.skills,
    memory: r.memory,
    isActive: r.is_active,
    ownerId: r.user_id,
    streamVersion: r.stream_version,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

/**
 * The agent when `owner` owns it. Someone else's agent is "not found", whatever the caller's
 * role (admins included), as another workspace's is: agents are their owner's.
 */
export async function ownedAgent(queries: AiAgentsQueries, workspaceId: string, agentId: string, owner: string | null): Promise<AiAgentRow> {
  const row = await queries.agent(workspaceId, agentId);
  if (!row || !owner || row.user_id !== owner) throw new AiAgentsError(Code.AgentNotFound, 'No such agent', { agentId });
  return row;
}

@Injectable()
export class AiAgentsHandler {
  constructor(
    private readonly aggregates: AiAgentsAggregates,
    private readonly queries: AiAgentsQueries,
    private readonly models: AnalysisModels,
    private readonly schedules: AgentSchedules,
  ) {}

  async create(workspaceId: string, input: CreateAgentRequestDto, meta: CommandMetadata, owner: string | null) {
    if (!owner) throw new AiAgentsError(Code.AgentNeedsAPerson, 'An agent belongs to a person: sign in as a user to create one (an API key acts for no one)');
    const config = await this.config(workspaceId, input.config, meta);
    const agentId = newEntityId('ai-agent', workspaceId, scopedIdempotencyKey(meta), input);
    const nameKey = input.name.toLowerCase();
    const claimed = await this.aggregates.agentNames.claim({ workspaceId, nameKey }, agentId, meta);
    try {
      await this.aggregates.agent.handle(
        agentId,
        { kind: 'create', agentId, workspaceId, ownerId: owner, name: input.name, description: input.description ?? null, agentType: input.type, config, skills: input.skills ?? [], now: meta.now },
        meta,
        { fingerprint: input },
      );
    } catch (err) {
      if (claimed) await this.aggregates.agentNames.release({ workspaceId, nameKey }, agentId, meta).catch(() => undefined);
      throw err;
    }
    await this.schedules.reconcile();
    return agentResponse(await this.row(workspaceId, agentId, owner));
  }

  async update(workspaceId: string, agentId: string, input: UpdateAgentRequestDto, meta: CommandMetadata, owner: string | null) {
    const current = await this.row(workspaceId, agentId, owner);
    const config = input.config ? await this.config(workspaceId, input.config, meta) : undefined;
    const oldKey = current.name.toLowerCase();
    const newKey = input.name === undefined ? oldKey : input.name.toLowerCase();
    const claimed = newKey !== oldKey && (await this.aggregates.agentNames.claim({ workspaceId, nameKey: newKey }, agentId, meta));
    try {
      await this.aggregates.agent.handle(agentId, { kind: 'update', workspaceId, changes: { name: input.name, description: input.description, agentType: input.type, config, skills: input.skills }, now: meta.now }, meta, { fingerprint: input });
      // The version If-Match named is now behind: the activation is a second event of the same request.
      if (input.isActive !== undefined) await this.aggregates.agent.handle(agentId, { kind: 'set-active', workspaceId, active: input.isActive, now: meta.now }, { ...meta, expectedVersion: undefined, idempotencyKey: undefined });
    } catch (err) {
      if (claimed) await this.aggregates.agentNames.release({ workspaceId, nameKey: newKey }, agentId, meta).catch(() => undefined);
      throw err;
    }
    if (newKey !== oldKey) await this.aggregates.agentNames.release({ workspaceId, nameKey: oldKey }, agentId, meta);
    await this.schedules.reconcile();
    return agentResponse(await this.row(workspaceId, agentId, owner));
  }

  async clearMemory(workspaceId: string, agentId: string, meta: CommandMetadata, owner: string | null) {
    await this.row(workspaceId, agentId, owner);
    await this.aggregates.agent.handle(agentId, { kind: 'clear-memory', workspaceId, now: meta.now }, meta);
    return agentResponse(await this.row(workspaceId, agentId, owner));
  }

  /** Deletes the agent (its memory with it) and frees its name; its job and triggers stop; past executions stay in the log. */
  async delete(workspaceId: string, agentId: string, meta: CommandMetadata, owner: string | null): Promise<void> {
    const current = await this.row(workspaceId, agentId, owner);
    await this.aggregates.agent.handle(agentId, { kind: 'delete', workspaceId, now: meta.now }, meta);
    await this.aggregates.agentNames.release({ workspaceId, nameKey: current.name.toLowerCase() }, agentId, meta);
    await this.schedules.reconcile();
  }

  async get(workspaceId: string, agentId: string, owner: string | null) {
    return agentResponse(await this.row(workspaceId, agentId, owner));
  }

  /** The caller's own agents. */
  async list(workspaceId: string, owner: string | null, page: { limit: number; cursor?: string }) {
    if (!owner) return { items: [], nextCursor: null };
    const rows = await this.queries.agents(workspaceId, owner, page);
    return { items: rows.items.map(agentResponse), nextCursor: rows.nextCursor };
  }

  private async row(workspaceId: string, agentId: string, owner: string | null): Promise<AiAgentRow> {
    return ownedAgent(this.queries, workspaceId, agentId, owner);
  }

  /** The stored config: the provider resolved (built-in when absent) and checked, the cron and event types checked. */
  private async config(workspaceId: string, input: AgentConfigDto, meta: CommandMetadata): Promise<AgentConfig> {
    const errors: { field: string; message: string }[] = [];
    const schedule = input.schedule?.trim() || null;
    if (schedule !== null) {
      const fields = schedule.split(/\s+/).length;
      if (fields !== 5 || !CronTime.validateCronExpression(schedule).valid) errors.push({ field: 'config.schedule', message: 'must be a 5-field cron expression (minute hour day month weekday, UTC)' });
    }
    const events = [...new Set(input.events ?? [])];
    events.forEach((type, i) => {
      if (SELF_TRIGGERING.test(type)) errors.push({ field: `config.events.${i}`, message: 'an agent cannot run on agent or execution events' });
    });
    if (errors.length) throw new ValidationFailedError('The agent config is not valid', errors);
    const providerId = input.providerId ?? (await this.models.ensureBuiltinAssignment(workspaceId, meta)).provider.id;
    if (!(await this.models.model(workspaceId, providerId, input.model))) {
      throw new AiAgentsError(Code.ProviderNotAvailable, 'The provider is not available to this workspace (unknown or inactive)', { providerId });
    }
    const parameters = { ...(input.parameters?.temperature !== undefined ? { temperature: input.parameters.temperature } : {}), ...(input.parameters?.maxTokens !== undefined ? { maxTokens: input.parameters.maxTokens } : {}) };
    return { providerId, model: input.model, prompt: input.prompt, parameters, schedule, events };
  }
}
