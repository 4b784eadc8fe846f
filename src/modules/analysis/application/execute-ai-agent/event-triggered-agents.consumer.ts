import { PoolClient } from 'pg';
import { Queryable, RecordedEvent } from '@libs/event-store/event-store.types';
import { EventTypeRegistry } from '@libs/event-store/event-type-registry';
import { PostgresEventStore } from '@libs/event-store/postgres-event-store';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { applyRowProjection } from '@libs/eventsourcing/projections/row-projection';
import { BatchedConsumer, ConsumerDeps, ConsumerOptions } from '@libs/eventsourcing/subscriptions/batched-consumer';
import { agentExecutionDecider } from '@modules/analysis/domain/agent-execution/agent-execution.decider';
import { AgentConfig } from '@modules/analysis/domain/ai-agent/ai-agent.decider';
import { agentExecutionAggregate, derivedId } from '@modules/analysis/infrastructure/ai-agents.aggregates';
import { AiAgentsQueries } from '@modules/analysis/infrastructure/ai-agents.queries';
import { AgentExecutionsProjection } from '@modules/analysis/projections/agent-executions.projection';
import { WorkspaceMembers } from '@modules/identity/contracts';
import { agentsOfMembers } from './agents-of-members';

/** Never a trigger: the agents' own events (an agent on its executions would run without end) and uniqueness claims. */
const IGNORED = /^analysis\.(agent-|ai-agent-)|^unique-claim\./;
/** The event's data goes into the input up to this size (else only its text). */
const INPUT_DATA_MAX_BYTES = 16 * 1024;
const TEXT_MAX = 8000;

interface Match {
  agentId: string;
  ownerId: string | null;
  event: RecordedEvent;
}

function valueAt(data: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), data);
}

/**
 * Event-triggered agents: a durable consumer of the whole log (`analysis.ai-agent-event-triggers`).
 * For each event of a workspace whose active agents name its type (recorded after the agent was
 * created, so a new agent does not run on history), it records a pending execution with
 * `trigger_data` naming the event, in the same transaction as the checkpoint. The execution id is
 * derived from (agent, event): a redelivered event finds it recorded and adds nothing. The
 * dispatcher then queues its run.
 */
export class EventTriggeredAgentsConsumer extends BatchedConsumer<Match[], number> {
  readonly name = 'analysis.ai-agent-event-triggers';
  readonly eventTypes = undefined;
  readonly ordering = 'none' as const;
  private readonly executions = new AgentExecutionsProjection();

  constructor(
    deps: ConsumerDeps,
    options: ConsumerOptions,
    private readonly queries: AiAgentsQueries,
    private readonly handler: EventSourcedCommandHandler,
    private readonly store: PostgresEventStore,
    private readonly typeRegistry: EventTypeRegistry,
    private readonly members: WorkspaceMembers,
  ) {
    super(deps, options);
  }

  override async prepare(events: RecordedEvent[], _db: Queryable): Promise<Match[]> {
    const candidates = events.filter((e) => e.workspaceId && !IGNORED.test(e.type) && e.streamType !== 'unique-claim');
    if (candidates.length === 0) return [];
    const triggered = await this.queries.eventTriggeredAgents([...new Set(candidates.map((e) => e.workspaceId!))]);
    if (triggered.length === 0) return [];
    // An agent whose owner left the workspace runs no more there (the runner refuses it too): no execution is recorded.
    const agents = await agentsOfMembers(this.members, triggered);
    // A private event (an Ask conversation's) is its owner's: it triggers only its owner's agents.
    const ownerPaths = new Map<string, string>();
    for (const [path, types] of this.typeRegistry.privateTypesByOwnerPath()) for (const type of types) ownerPaths.set(type, path);
    const matches: Match[] = [];
    for (const e of candidates) {
      const ownerPath = ownerPaths.get(e.type);
      const privateOwner = ownerPath === undefined ? undefined : valueAt(e.data, ownerPath);
      for (const a of agents) {
        if (a.workspace_id !== e.workspaceId || !(a.config as AgentConfig).events.includes(e.type)) continue;
        if (e.recordedAt.getTime() < new Date(a.created_at as string).getTime()) continue;
        if (ownerPath !== undefined && (!a.user_id || privateOwner !== a.user_id)) continue;
        matches.push({ agentId: a.id, ownerId: a.user_id, event: e });
      }
    }
    return matches;
  }

  async apply(tx: PoolClient, _events: RecordedEvent[], matches: Match[]): Promise<number> {
    let recorded = 0;
    for (const { agentId, ownerId, event } of matches) {
      const executionId = derivedId('event-execution', agentId, event.eventId);
      const streamId = agentExecutionAggregate.streamId(executionId);
      const done = await this.handler.handle(
        agentExecutionDecider,
        {
          kind: 'request',
          executionId,
          agentId,
          ownerId,
          workspaceId: event.workspaceId!,
          triggerType: 'event',
          triggerData: { eventId: event.eventId, eventType: event.type, streamId: event.streamId, globalPosition: event.globalPosition, recordedAt: event.recordedAt.toISOString() },
          input: this.inputOf(event),
          requestedBy: null,
          now: new Date(),
        },
        {
          streamId,
          streamType: agentExecutionAggregate.streamType,
          metadata: { commandId: derivedId('event-trigger', agentId, event.eventId), workspaceId: event.workspaceId, actorId: null, correlationId: event.correlationId ?? event.eventId, now: new Date() },
          result: () => null,
          client: tx,
          retries: 0,
        },
      );
      if (done.events === 0) continue;
      // Appends inside a caller's transaction skip the inline projections: apply the executions' here.
      const appended = await this.store.readStream(streamId, { fromVersion: 1 }, tx);
      await applyRowProjection(this.executions, appended.events, tx);
      recorded++;
    }
    return recorded;
  }

  override afterCommit(recorded: number): void {
    if (recorded > 0) this.store.notifyAppended();
  }

  /**
   * The execution's input: the event's text (a message's content; never a text that is personal
   * data, such as a question asked) and, for an event type that
   * declares no personal data and no secret fields, its data when small. Personal fields (an
   * author's name and email) are encrypted per person in the log and erased with them; a copy in
   * an execution would outlive an erasure, so those events lend only their text.
   */
  private inputOf(event: RecordedEvent): Record<string, unknown> {
    const data = event.data as Record<string, unknown> | null;
    const textField = data && typeof data.content === 'string' ? 'content' : data && typeof data.text === 'string' ? 'text' : null;
    // A text that is itself personal data (a question asked) is encrypted per person and erased with them: never copied.
    const personalText = textField !== null && (this.typeRegistry.personalDataOf(event.type)?.fields ?? []).includes(textField);
    const text = textField && !personalText ? (data![textField] as string).slice(0, TEXT_MAX) : null;
    const shareable = !this.typeRegistry.personalDataOf(event.type) && this.typeRegistry.secretFieldsOf(event.type).length === 0;
    return {
      eventType: event.type,
      ...(text ? { text } : {}),
      ...(shareable && Buffer.byteLength(JSON.stringify(data ?? null)) <= INPUT_DATA_MAX_BYTES ? { data } : {}),
    };
  }
}
