import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { AiAgentsError } from '@modules/analysis/domain/ai-agents.errors';
import { AgentExecutionEvent, agentExecutionDecider, EXECUTION_ERROR_MAX } from './agent-execution.decider';

const spec = DeciderSpecification(agentExecutionDecider);
const now = new Date('2026-12-03T10:00:00.000Z');
const at = now.toISOString();
const executionId = 'x-1';
const requested: AgentExecutionEvent = {
  type: 'analysis.agent-execution-requested',
  data: { executionId, agentId: 'a-1', ownerId: 'u-1', workspaceId: 'ws-1', triggerType: 'event', triggerData: { eventId: 'ev-1', eventType: 'ingestion.message-ingested' }, input: { text: 'hi' }, requestedBy: null, at },
};
const started: AgentExecutionEvent = { type: 'analysis.agent-execution-started', data: { executionId, ownerId: 'u-1', at } };
const completed: AgentExecutionEvent = { type: 'analysis.agent-execution-completed', data: { executionId, ownerId: 'u-1', output: { text: 'done' }, at } };
const failed: AgentExecutionEvent = { type: 'analysis.agent-execution-failed', data: { executionId, ownerId: 'u-1', error: 'provider down', at } };

describe('agent execution decider', () => {
  it('is requested as pending with its trigger, input and the agent\'s owner (each later event names the owner too); the same trigger again records nothing', () => {
    spec.given([]).when({ kind: 'request', ...requested.data, now }).then([requested]);
    spec.given([requested]).when({ kind: 'request', ...requested.data, now }).thenNothingHappened();
  });

  it('runs pending -> running -> completed with its output, each step once', () => {
    spec.given([requested]).when({ kind: 'start', now }).then([started]);
    spec.given([requested, started]).when({ kind: 'start', now }).thenNothingHappened();
    spec.given([requested, started]).when({ kind: 'complete', output: { text: 'done' }, now }).then([completed]);
    spec.given([requested, started, completed]).when({ kind: 'complete', output: { text: 'again' }, now }).thenNothingHappened();
  });

  it('keeps the error of a failed execution (bounded) and never fails a finished one', () => {
    spec.given([requested, started]).when({ kind: 'fail', error: 'provider down', now }).then([failed]);
    spec.given([requested]).when({ kind: 'fail', error: 'e'.repeat(EXECUTION_ERROR_MAX + 1), now }).then([{ type: 'analysis.agent-execution-failed', data: { executionId, ownerId: 'u-1', error: 'e'.repeat(EXECUTION_ERROR_MAX), at } }]);
    spec.given([requested, started, completed]).when({ kind: 'fail', error: 'late', now }).thenNothingHappened();
    spec.given([requested, started, failed]).when({ kind: 'start', now }).thenNothingHappened();
  });

  it('refuses to complete what is not running', () => {
    spec.given([requested]).when({ kind: 'complete', output: {}, now }).thenThrows(AiAgentsError, (e) => expect(e.code).toBe('ANALYSIS.INVALID_TRANSITION'));
    spec.given([requested, started, failed]).when({ kind: 'complete', output: {}, now }).thenThrows(AiAgentsError);
    spec.given([]).when({ kind: 'start', now }).thenThrows(AiAgentsError, (e) => expect(e.code).toBe('ANALYSIS.EXECUTION_NOT_FOUND'));
  });
});
