/**
 * What the parts of analysis ask each other for. The configuration part (providers, agent and
 * task configs, assignments, project configs) implements `AnalysisModels`; runs, experiments and
 * AI agents take it by this token. The usage part implements `LlmBudgets`; anything that spends
 * tokens checks it first.
 */
import type { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import type { LlmClient } from '@libs/ai/llm-client';
import type { AgentConfigSettings, LlmProviderKind, ProjectConfigSettings, TaskConfigSettings } from '@modules/analysis/domain/configuration/configuration-settings';

/** The kinds configuration knows (domain/configuration/configuration-settings). */
export type LlmProviderType = LlmProviderKind;

export interface ProviderSnapshot {
  id: string;
  name: string;
  type: LlmProviderType;
  /** null for builtin. Never the API key. */
  baseUrl: string | null;
  validationStatus: 'pending' | 'validating' | 'connected' | 'error';
}

/** An agent config as it was when a run or experiment started (what it holds: AgentConfigSettings). */
export interface AgentConfigSnapshot extends AgentConfigSettings {
  id: string;
}

/** A task config as a run saw it; the answer must match its `responseSchema` (ajv). */
export interface TaskConfigSnapshot extends TaskConfigSettings {
  id: string;
}

/** An active agent<->task assignment with everything a run snapshots at its start. */
export interface AssignmentSnapshot {
  id: string;
  agent: AgentConfigSnapshot;
  task: TaskConfigSnapshot;
  provider: ProviderSnapshot;
}

/** A project config as a run saw it (priorityRules: level -> words that set a proposal's priority). */
export interface ProjectConfigSnapshot extends ProjectConfigSettings {
  id: string;
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
