import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ScheduledJobs, ScheduledRunContext, ScheduledRunResult } from '@libs/jobs/scheduled-jobs';
import { systemMetadata } from '@modules/analysis/application/run-classification-experiment/classification-experiment.runner';
import { AiAgentsAggregates, derivedId } from '@modules/analysis/infrastructure/ai-agents.aggregates';
import { AiAgentsQueries } from '@modules/analysis/infrastructure/ai-agents.queries';
import { WorkspaceMembers } from '@modules/identity/contracts';
import { agentsOfMembers } from './agents-of-members';
import { AgentExecutionRunner } from './agent-execution.runner';

/** How often each process brings its agents' jobs in line with the read model (changes made by other processes). */
const RECONCILE_EVERY_MS = 30_000;
const PREFIX = 'ai-agent.';

/**
 * A scheduled agent is a scheduled job, `ai-agent.<agentId>`, with the agent's cron (UTC): listed
 * and run by the scheduled-jobs admin like any other, once per slot across processes. Each process
 * registers the jobs of the active scheduled agents at start-up, after a change it makes itself,
 * and every 30 s (changes made by other processes, an owner who left the workspace); an agent deactivated, deleted, unscheduled, whose owner left
 * or given another cron is unregistered (and registered again with the new cron).
 *
 * A run records a `scheduled` execution whose id comes from (agent, slot), so the slot's run is
 * one execution however often it is retried, and runs it inside the job: the job's run in
 * `worker_runs` fails with the execution's error when it fails.
 */
@Injectable()
export class AgentSchedules implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AgentSchedules');
  private readonly mine = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly scheduled: ScheduledJobs,
    private readonly queries: AiAgentsQueries,
    private readonly aggregates: AiAgentsAggregates,
    private readonly runner: AgentExecutionRunner,
    private readonly members: WorkspaceMembers,
  ) {}

  static jobName(agentId: string): string {
    return `${PREFIX}${agentId}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    // A failure here (the database not ready, migrations pending) must not stop the app: the timer tries again.
    const reconcile = () => this.reconcile().catch((err) => this.logger.error({ err }, 'reconciling agent schedules failed'));
    await reconcile();
    this.timer = setInterval(() => void reconcile(), RECONCILE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Registers, changes and unregisters this process's agent jobs to match the active scheduled agents (one reconcile at a time). */
  reconcile(): Promise<void> {
    const next = this.pending.then(() => this.reconcileNow());
    this.pending = next.catch(() => undefined);
    return next;
  }

  private async reconcileNow(): Promise<void> {
    const wanted = new Map((await agentsOfMembers(this.members, await this.queries.scheduledAgents())).map((a) => [AgentSchedules.jobName(a.id), a]));
    for (const [name, cron] of this.mine) {
      if (wanted.get(name)?.schedule === cron) continue;
      await this.scheduled.unregister(name);
      this.mine.delete(name);
    }
    for (const [name, agent] of wanted) {
      if (this.mine.has(name)) continue;
      this.scheduled.register({
        name,
        cron: agent.schedule,
        description: `AI agent ${agent.id} (workspace ${agent.workspace_id})`,
        run: (ctx) => this.runScheduled(agent.workspace_id, agent.id, ctx),
      });
      this.mine.set(name, agent.schedule);
      // Listed by the admin (its row written) before the change that registered it answers.
      await this.scheduled.settled(name);
    }
  }

  async runScheduled(workspaceId: string, agentId: string, ctx: ScheduledRunContext): Promise<ScheduledRunResult> {
    const agent = await this.queries.agent(workspaceId, agentId);
    // Deactivated in another process that has not reconciled yet: nothing to run.
    if (!agent || !agent.is_active || !agent.config.schedule) return { processed: 0, meta: { skipped: 'the agent is inactive or no longer scheduled' } };
    const at = ctx.slot ?? new Date().toISOString();
    const executionId = derivedId('scheduled-execution', agentId, ctx.slot ?? ctx.runId);
    await this.aggregates.execution.handle(
      executionId,
      {
        kind: 'request',
        executionId,
        agentId,
        ownerId: agent.user_id,
        workspaceId,
        triggerType: 'scheduled',
        triggerData: { job: ctx.name, runId: ctx.runId, slot: ctx.slot, trigger: ctx.trigger, cron: agent.config.schedule },
        input: { text: `Scheduled run of ${agent.name} at ${at}`, scheduledAt: at },
        requestedBy: null,
        now: new Date(),
      },
      systemMetadata(workspaceId, executionId),
    );
    const outcome = await this.runner.run(workspaceId, executionId);
    if (outcome === 'failed') {
      const row = await this.queries.execution(workspaceId, executionId);
      throw new Error(`execution ${executionId} failed: ${row?.error ?? 'unknown error'}`);
    }
    return { processed: outcome === 'completed' ? 1 : 0, meta: { executionId, outcome } };
  }
}
