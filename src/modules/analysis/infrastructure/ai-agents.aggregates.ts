import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import { ConcurrencyError } from '@libs/event-store/concurrency.error';
import { defineAggregate } from '@libs/eventsourcing/aggregate/define-aggregate';
import { EventSourcedCommandHandler } from '@libs/eventsourcing/event-sourced-command.handler';
import { defineUniqueClaim } from '@libs/eventsourcing/uniqueness/define-unique-claim';
import { agentExecutionDecider } from '@modules/analysis/domain/agent-execution/agent-execution.decider';
import { aiAgentDecider } from '@modules/analysis/domain/ai-agent/ai-agent.decider';
import { AiAgentsError, AiAgentsErrorCode as Code } from '@modules/analysis/domain/ai-agents.errors';
import { classificationExperimentDecider } from '@modules/analysis/domain/classification-experiment/classification-experiment.decider';

const ID_NAMESPACE = '5d1f7a52-3c1e-4b8e-9f0a-2e6d4c8b7a91';

/**
 * The id of what a create request makes: under an Idempotency-Key derived from the key and the
 * request (a retry names the same entity), else a fresh v7.
 */
export function newEntityId(kind: string, workspaceId: string, idempotencyKey: string | undefined, request: unknown): string {
  if (!idempotencyKey) return uuidv7();
  const hash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  return uuidv5(`${kind}:${workspaceId}:${idempotencyKey}:${hash}`, ID_NAMESPACE);
}

/** A deterministic id from its cause (an event id, a cron slot): the same cause names the same execution. */
export function derivedId(kind: string, ...parts: string[]): string {
  return uuidv5(`${kind}:${parts.join(':')}`, ID_NAMESPACE);
}

/** Written by their runners and by one create: clients do not version experiments. */
export const classificationExperimentAggregate = defineAggregate(classificationExperimentDecider, {
  streamType: 'classification-experiment',
  result: ({ version }) => ({ version }),
  ignores: ['expectedVersion'],
});

export const aiAgentAggregate = defineAggregate(aiAgentDecider, {
  streamType: 'ai-agent',
  result: ({ version }) => ({ version }),
  staleVersion: (err: ConcurrencyError, expected: number) =>
    new AiAgentsError(Code.AgentStaleVersion, `The agent changed since version ${expected}: it is at version ${err.actualVersion ?? 0}; read it again`, {
      expectedVersion: expected,
      currentVersion: err.actualVersion,
    }),
});

export const agentExecutionAggregate = defineAggregate(agentExecutionDecider, {
  streamType: 'agent-execution',
  result: ({ version }) => ({ version }),
  ignores: ['expectedVersion'],
});

/** Agent names are unique per workspace, whatever their case. */
export const agentNameClaim = defineUniqueClaim('ai-agent-name', {
  key: ({ workspaceId, nameKey }: { workspaceId: string; nameKey: string }) => `${workspaceId}:${nameKey}`,
  taken: () => new AiAgentsError(Code.AgentNameTaken, 'An agent with this name exists in the workspace'),
});

@Injectable()
export class AiAgentsAggregates {
  constructor(private readonly handler: EventSourcedCommandHandler) {}

  readonly experiment = classificationExperimentAggregate.bind(this.handler);
  readonly agent = aiAgentAggregate.bind(this.handler);
  readonly execution = agentExecutionAggregate.bind(this.handler);
  readonly agentNames = agentNameClaim.bind(this.handler);
}
