import { Module } from '@nestjs/common';
import { AiAgentsModule } from './ai-agents.module';
import { AnalysisConfigurationModule } from './analysis-configuration.module';
import { AnalysisRunsModule } from './analysis-runs.module';
import { AnalysisUsageModule } from './analysis-usage.module';

/**
 * Analysis: turning conversations into reviewed work.
 * - configuration: LLM providers, agent and task configs, assignments, project configs
 *   (implements AnalysisModels);
 * - runs: analysis runs (a saga), task proposals and their review, tasks;
 * - usage: LLM usage and cost reports, budgets (implements LlmBudgets), per-user analytics;
 * - AI agents: agents with memory and their executions, classification experiments.
 */
@Module({ imports: [AnalysisConfigurationModule, AnalysisRunsModule, AnalysisUsageModule, AiAgentsModule] })
export class AnalysisModule {}
