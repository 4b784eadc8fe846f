import type { AgentConfigRow } from '@modules/analysis/projections/agent-configs.projection';
import type { AgentTaskAssignmentRow } from '@modules/analysis/projections/agent-task-assignments.projection';
import type { LlmProviderRow } from '@modules/analysis/projections/llm-providers.projection';
import type { ProjectConfigRow } from '@modules/analysis/projections/project-configs.projection';
import type { TaskConfigRow } from '@modules/analysis/projections/task-configs.projection';

import type { AgentConfigSnapshot, LlmProviderType, ProjectConfigSnapshot, ProviderSnapshot, TaskConfigSnapshot } from '@modules/analysis/application/analysis-models';

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : (v as string | null));

/** What runs and experiments snapshot of each item (AnalysisModels); the API answers add their state and versions. */
export function providerSnapshot(r: LlmProviderRow): ProviderSnapshot {
  return { id: r.id, name: r.name, type: r.type as LlmProviderType, baseUrl: r.base_url, validationStatus: r.validation_status as ProviderSnapshot['validationStatus'] };
}

export function agentSnapshot(r: AgentConfigRow): AgentConfigSnapshot {
  return {
    id: r.id,
    name: r.name,
    providerId: r.provider_id,
    modelName: r.model_name,
    systemPrompt: r.system_prompt,
    description: r.description,
    temperature: Number(r.temperature),
    maxTokens: r.max_tokens,
  };
}

export function taskSnapshot(r: TaskConfigRow): TaskConfigSnapshot {
  return { id: r.id, name: r.name, description: r.description, responseSchema: r.response_schema };
}

export function projectSnapshot(r: ProjectConfigRow): ProjectConfigSnapshot {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    keywords: r.keywords,
    glossary: r.glossary,
    components: r.components,
    defaultAssigneeIds: r.default_assignee_ids,
    pmUserId: r.pm_user_id,
    priorityRules: r.priority_rules,
    version: r.version,
  };
}

/** A provider as the API shows it: never its API key, only whether it has one. */
export function providerResponse(r: LlmProviderRow) {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    baseUrl: r.base_url,
    hasApiKey: r.api_key_encrypted !== null,
    isActive: r.is_active,
    validationStatus: r.validation_status,
    validationError: r.validation_error,
    validatedAt: iso(r.validated_at),
    /** What If-Match expects (also the ETag). */
    streamVersion: r.stream_version,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export function agentConfigResponse(r: AgentConfigRow) {
  return {
    ...agentSnapshot(r),
    isActive: r.is_active,
    streamVersion: r.stream_version,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export function taskConfigResponse(r: TaskConfigRow) {
  return {
    ...taskSnapshot(r),
    isActive: r.is_active,
    streamVersion: r.stream_version,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export function assignmentResponse(r: AgentTaskAssignmentRow) {
  return {
    id: r.id,
    agentId: r.agent_id,
    taskId: r.task_id,
    isActive: r.is_active,
    assignedAt: iso(r.assigned_at),
    streamVersion: r.stream_version,
    createdBy: r.created_by,
    updatedAt: iso(r.updated_at),
  };
}

export function projectConfigResponse(r: ProjectConfigRow) {
  return {
    ...projectSnapshot(r),
    isActive: r.is_active,
    streamVersion: r.stream_version,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}
