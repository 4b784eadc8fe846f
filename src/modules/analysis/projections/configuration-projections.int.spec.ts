import { DomainEvent } from '@libs/eventsourcing/decider';
import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { AgentConfigsProjection } from './agent-configs.projection';
import { AgentTaskAssignmentsProjection } from './agent-task-assignments.projection';
import { ProjectConfigsProjection } from './project-configs.projection';
import { TaskConfigsProjection } from './task-configs.projection';

const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const providerId = '0193a000-0000-7000-8000-00000000d001';
const agentId = '0193a000-0000-7000-8000-00000000e001';
const taskId = '0193a000-0000-7000-8000-00000000f001';
const assignmentId = '0193a000-0000-7000-8000-00000000a001';
const projectId = '0193a000-0000-7000-8000-00000000b001';
const userId = '0193a000-0000-7000-8000-00000000c0c1';
const at = '2026-12-03T10:00:00.000Z';
const later = '2026-12-03T11:00:00.000Z';
const common = { workspace_id: workspaceId, is_active: true, stream_version: 1, created_by: 'u1', updated_at: at };

describe('analysis configuration read models', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const options = { actorId: 'u1' };

  describe('AgentConfigsProjection (analysis_agent_configs_view)', () => {
    const spec = ProjectionSpecification<DomainEvent>(new AgentConfigsProjection(), () => db.pool, options);
    const created = {
      type: 'analysis.agent-config-created',
      data: { id: agentId, workspaceId, settings: { name: 'Detector', providerId, modelName: 'gpt-4o-mini', systemPrompt: 'Find tasks', description: null, temperature: 0.7, maxTokens: null }, at },
    };
    const row = { id: agentId, ...common, name: 'Detector', provider_id: providerId, model_name: 'gpt-4o-mini', system_prompt: 'Find tasks', description: null, temperature: 0.7, max_tokens: null, created_at: at };

    it('one row per agent; a change writes only the changed columns', async () => {
      await spec.given([]).when([created]).then([row]);
      await spec
        .given([created])
        .when([{ type: 'analysis.agent-config-changed', data: { id: agentId, changes: { temperature: 1.2, maxTokens: 500, description: 'd' }, at: later } }])
        .then([{ ...row, temperature: 1.2, max_tokens: 500, description: 'd', stream_version: 2, updated_at: later }]);
      await spec.given([created]).when([{ type: 'analysis.agent-config-deleted', data: { id: agentId, at: later } }]).then([]);
    });
  });

  describe('TaskConfigsProjection (analysis_task_configs_view)', () => {
    const spec = ProjectionSpecification<DomainEvent>(new TaskConfigsProjection(), () => db.pool, options);
    const schema = { type: 'object', required: ['tasks'] };
    const created = { type: 'analysis.task-config-created', data: { id: taskId, workspaceId, settings: { name: 'Proposals', description: null, responseSchema: schema }, at } };
    const row = { id: taskId, ...common, name: 'Proposals', description: null, response_schema: schema, created_at: at };

    it('keeps the response schema as JSON; deactivation', async () => {
      await spec.given([]).when([created]).then([row]);
      await spec
        .given([created])
        .when([{ type: 'analysis.task-config-changed', data: { id: taskId, changes: { responseSchema: { type: 'array' } }, at: later } }])
        .then([{ ...row, response_schema: { type: 'array' }, stream_version: 2, updated_at: later }]);
      await spec
        .given([created])
        .when([{ type: 'analysis.task-config-active-changed', data: { id: taskId, active: false, at: later } }])
        .then([{ ...row, is_active: false, stream_version: 2, updated_at: later }]);
    });
  });

  describe('AgentTaskAssignmentsProjection (analysis_agent_task_assignments_view)', () => {
    const spec = ProjectionSpecification<DomainEvent>(new AgentTaskAssignmentsProjection(), () => db.pool, options);
    const created = { type: 'analysis.agent-task-assignment-created', data: { id: assignmentId, workspaceId, settings: { agentId, taskId }, at } };
    const row = { id: assignmentId, ...common, agent_id: agentId, task_id: taskId, assigned_at: at };

    it('assigned_at is when the pair was assigned; delete removes it', async () => {
      await spec.given([]).when([created]).then([row]);
      await spec
        .given([created])
        .when([{ type: 'analysis.agent-task-assignment-active-changed', data: { id: assignmentId, active: false, at: later } }])
        .then([{ ...row, is_active: false, stream_version: 2, updated_at: later }]);
      await spec.given([created]).when([{ type: 'analysis.agent-task-assignment-deleted', data: { id: assignmentId, at: later } }]).then([]);
    });
  });

  describe('ProjectConfigsProjection (analysis_project_configs_view)', () => {
    const spec = ProjectionSpecification<DomainEvent>(new ProjectConfigsProjection(), () => db.pool, options);
    const settings = {
      name: 'Mobile',
      description: 'Apps',
      keywords: ['ios', 'android'],
      glossary: { PN: 'push notification' },
      components: [{ name: 'login' }],
      defaultAssigneeIds: [userId],
      pmUserId: userId,
      priorityRules: { critical: ['crash'] },
      version: '1.0',
    };
    const created = { type: 'analysis.project-config-created', data: { id: projectId, workspaceId, settings, at } };
    const row = {
      id: projectId,
      ...common,
      name: 'Mobile',
      description: 'Apps',
      keywords: ['ios', 'android'],
      glossary: { PN: 'push notification' },
      components: [{ name: 'login' }],
      default_assignee_ids: [userId],
      pm_user_id: userId,
      priority_rules: { critical: ['crash'] },
      version: '1.0',
      created_at: at,
    };

    it('every seed field; a change of lists replaces them', async () => {
      await spec.given([]).when([created]).then([row]);
      await spec
        .given([created])
        .when([{ type: 'analysis.project-config-changed', data: { id: projectId, changes: { keywords: ['mobile'], defaultAssigneeIds: [], version: '1.1' }, at: later } }])
        .then([{ ...row, keywords: ['mobile'], default_assignee_ids: [], version: '1.1', stream_version: 2, updated_at: later }]);
    });
  });
});
