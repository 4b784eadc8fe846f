import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { AiAgentEvent } from '@modules/analysis/domain/ai-agent/ai-agent.decider';
import { AiAgentsProjection } from '@modules/analysis/projections/ai-agents.projection';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';

const agentId = '0193a000-0000-7000-8000-000000003001';
const executionId = '0193a000-0000-7000-8000-000000004001';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const ownerId = '0193a000-0000-7000-8000-000000000001';
const providerId = '0193a000-0000-7000-8000-000000005001';
const at = '2026-12-03T10:00:00.000Z';
const later = '2026-12-03T11:00:00.000Z';
const config = { providerId, model: 'builtin', prompt: 'Help.', parameters: {}, schedule: null, events: ['ingestion.message-ingested'] };
const created: AiAgentEvent = { type: 'analysis.ai-agent-created', data: { agentId, workspaceId, ownerId, name: 'Helper', description: null, agentType: 'assistant', config, skills: ['answer'], at } };
const memory = { entries: { tone: { value: 'formal', updatedAt: later, executionId } } };
const agent = {
  id: agentId,
  workspace_id: workspaceId,
  user_id: ownerId,
  name: 'Helper',
  description: null,
  type: 'assistant',
  config,
  skills: ['answer'],
  memory: { entries: {} },
  is_active: true,
  stream_version: 1,
  created_at: at,
  updated_at: at,
};

describe('AiAgentsProjection (analysis_ai_agents_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = () => ProjectionSpecification<AiAgentEvent>(new AiAgentsProjection(), () => db.pool, { streamId: `ai-agent-${agentId}`, workspaceId });

  it('creates the agent active, with an empty memory; a redelivery changes nothing', async () => {
    await spec().given([]).when([created]).then([agent]);
    await spec().given([created]).when([created]).then([agent]);
  });

  it('applies updates field by field, activation, and the memory as a whole', async () => {
    await spec()
      .given([created])
      .when([
        { type: 'analysis.ai-agent-updated', data: { agentId, ownerId, name: 'Support helper', description: 'd', skills: [], at: later } },
        { type: 'analysis.ai-agent-activation-changed', data: { agentId, ownerId, active: false, at: later } },
        { type: 'analysis.ai-agent-memory-updated', data: { agentId, ownerId, executionId, memory, changed: ['tone'], evicted: [], at: later } },
      ])
      .then([{ ...agent, name: 'Support helper', description: 'd', skills: [], is_active: false, memory, stream_version: 4, updated_at: later }]);
  });

  it('reads an erased owner\'s memory (the log says [erased]) as empty, and removes a deleted agent', async () => {
    const erased = { type: 'analysis.ai-agent-memory-updated', data: { agentId, ownerId, executionId, memory: '[erased]', changed: ['tone'], evicted: [], at: later } } as unknown as AiAgentEvent;
    await spec().given([created]).when([erased]).then([{ ...agent, stream_version: 2, updated_at: later }]);
    await spec()
      .given([created])
      .when([{ type: 'analysis.ai-agent-deleted', data: { agentId, ownerId, workspaceId, name: 'Helper', at: later } }])
      .then([]);
  });
});
