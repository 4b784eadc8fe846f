/**
 * What each configuration item holds (seed 003 llm_providers, agent_configs, task_configs,
 * agent_task_assignments, project_configs; workspace users by their uuid ids). Names are unique
 * per workspace without regard to case (a unique claim each).
 */
export const LLM_PROVIDER_TYPES = ['openai-compatible', 'ollama', 'builtin'] as const;
export type LlmProviderKind = (typeof LLM_PROVIDER_TYPES)[number];

export interface LlmProviderSettings {
  name: string;
  type: LlmProviderKind;
  /** null for builtin. */
  baseUrl: string | null;
  /** SecretBox ciphertext of the API key (bound to the provider's id); never the key in clear. */
  apiKeyCiphertext: string | null;
}

export const TEMPERATURE_MIN = 0;
export const TEMPERATURE_MAX = 2;
export const DEFAULT_TEMPERATURE = 0.7;

export interface AgentConfigSettings {
  name: string;
  providerId: string;
  modelName: string;
  systemPrompt: string;
  description: string | null;
  /** 0-2 (seed default 0.7). */
  temperature: number;
  maxTokens: number | null;
}

export interface TaskConfigSettings {
  name: string;
  description: string | null;
  /** A JSON Schema (checked with ajv when saved) the agent's answer must match. */
  responseSchema: Record<string, unknown>;
}

/** Unique per (agent, task): a unique claim of the pair. */
export interface AgentTaskAssignmentSettings {
  agentId: string;
  taskId: string;
}

export interface ProjectConfigSettings {
  name: string;
  description: string;
  keywords: string[];
  glossary: Record<string, string>;
  components: Record<string, unknown>[];
  /** Workspace members. */
  defaultAssigneeIds: string[];
  /** A workspace member. */
  pmUserId: string;
  priorityRules: Record<string, unknown>;
  version: string;
}

/** The key a name is claimed under: names differ only when they differ beyond case and outer spaces. */
export const nameKey = (name: string) => name.trim().toLowerCase();
