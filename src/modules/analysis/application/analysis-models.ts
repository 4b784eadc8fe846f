/**
 * What the parts of analysis ask each other for. The configuration part (providers, agent and
 * task configs, assignments, project configs) implements `AnalysisModels`; runs, experiments and
 * AI agents take it by this token. The usage part implements `LlmBudgets`; anything that spends
 * tokens checks it first.
 */
import type { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import type { LlmClient } from '@libs/ai/llm-client';

export type LlmProviderType = 'openai-compatible' | 'ollama' | 'builtin';

export interface ProviderSnapshot {
  id: string;
  name: string;
  type: LlmProviderType;
  /** null for builtin. Never the API key. */
  baseUrl: string | null;
  validationStatus: 'pending' | 'validating' | 'connected' | 'error';
}

export interface AgentConfigSnapshot {
  id: string;
  name: string;
  providerId: string;
  modelName: string;
  systemPrompt: string;
  description: string | null;
  temperature: number;
  maxTokens: number | null;
}

export interface TaskConfigSnapshot {
  id: string;
  name: string;
  description: string | null;
  /** JSON Schema the agent's answer must match (ajv). */
  responseSchema: Record<string, unknown>;
}

/** An active agent<->task assignment with everything a run snapshots at its start. */
export interface AssignmentSnapshot {
  id: string;
  agent: AgentConfigSnapshot;
  task: TaskConfigSnapshot;
  provider: ProviderSnapshot;
}

export interface ProjectConfigSnapshot {
  id: string;
  name: string;
  description: string;
  keywords: string[];
  glossary: Record<string, string>;
  components: Record<string, unknown>[];
  /** Workspace user ids. */
  defaultAssigneeIds: string[];
  pmUserId: string;
  /** e.g. `{ "critical": ["outage", "data loss"], "high": ["customer", "deadline"] }`: words that set a proposal's priority. */
  priorityRules: Record<string, unknown>;
  version: string;
}

/** The model a run or experiment calls: the built-in offline engine, or a metered client of a provider. */
export type AnalysisModel =
  | { builtin: true; provider: ProviderSnapshot; model: string }
  | { builtin: false; provider: ProviderSnapshot; model: string; client: LlmClient };

export abstract class AnalysisModels {
  /** The active assignment of this workspace with its agent, task and provider; null when absent, inactive or another workspace's. */
  abstract assignment(workspaceId: string, assignmentId: string): Promise<AssignmentSnapshot | null>;
  /** The active project configs of the workspace (runs classify proposals against them). */
  abstract projects(workspaceId: string): Promise<ProjectConfigSnapshot[]>;
  abstract project(workspaceId: string, projectId: string): Promise<ProjectConfigSnapshot | null>;
  /** A client for this provider and model, metered into llm_usage_logs; null when the provider is not the workspace's or inactive. */
  abstract model(workspaceId: string, providerId: string, modelName: string): Promise<AnalysisModel | null>;
  /**
   * The workspace's built-in assignment (provider "Built-in", agent "Built-in task detector", task
   * "Task proposals" with TASK_PROPOSALS_ANSWER_SCHEMA), created on first use: a run needs no setup.
   */
  abstract ensureBuiltinAssignment(workspaceId: string, metadata: CommandMetadata): Promise<AssignmentSnapshot>;
}

export interface BudgetStatus {
  /** null: no budget set. */
  limitUsd: number | null;
  spentUsd: number;
  /** The period the budget covers, e.g. the calendar month (UTC) of `now`. */
  periodStart: string;
  exceeded: boolean;
}

export abstract class LlmBudgets {
  abstract status(workspaceId: string, now?: Date): Promise<BudgetStatus>;
}
