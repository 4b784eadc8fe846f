import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { AgentExecutionEvent } from '@modules/analysis/domain/agent-execution/agent-execution.decider';
import { AgentExecutionsProjection } from '@modules/analysis/projections/agent-executions.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const agentId = '0193a000-0000-7000-8000-000000003001';
const executionId = '0193a000-0000-7000-8000-000000004001';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const at = '2026-12-03T10:00:00.000Z';
const later = '2026-12-03T11:00:00.000Z';

describe('AgentExecutionsProjection (analysis_agent_executions_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const OWNER = '0193a000-0000-7000-8000-0000000000c1';
  const spec = () => ProjectionSpecification<AgentExecutionEvent>(new AgentExecutionsProjection(), () => db.pool, { streamId: `agent-execution-${executionId}`, workspaceId });
  const requested: AgentExecutionEvent = {
    type: 'analysis.agent-execution-requested',
    data: { executionId, agentId, ownerId: OWNER, workspaceId, triggerType: 'event', triggerData: { eventId: 'e-1' }, input: { text: 'hi' }, requestedBy: null, at },
  };
  const pending = {
    id: executionId,
    workspace_id: workspaceId,
    agent_id: agentId,
    user_id: OWNER,
    trigger_type: 'event',
    trigger_data: { eventId: 'e-1' },
    status: 'pending',
    input: { text: 'hi' },
    output: null,
    error: null,
    requested_by: null,
    started_at: null,
    completed_at: null,
    created_at: at,
    updated_at: at,
  };

  it('records pending, running, then completed with its output and timings', async () => {
    await spec().given([]).when([requested]).then([pending]);
    await spec()
      .given([requested])
      .when([
        { type: 'analysis.agent-execution-started', data: { executionId, ownerId: OWNER, at } },
        { type: 'analysis.agent-execution-completed', data: { executionId, ownerId: OWNER, output: { text: 'done' }, at: later } },
      ])
      .then([{ ...pending, status: 'completed', output: { text: 'done' }, started_at: at, completed_at: later, updated_at: later }]);
  });

  it('keeps the error of a failed execution', async () => {
    await spec()
      .given([requested, { type: 'analysis.agent-execution-started', data: { executionId, ownerId: OWNER, at } }])
      .when([{ type: 'analysis.agent-execution-failed', data: { executionId, ownerId: OWNER, error: 'provider down', at: later } }])
      .then([{ ...pending, status: 'failed', error: 'provider down', started_at: at, completed_at: later, updated_at: later }]);
  });
});
