import { v7 as uuidv7 } from 'uuid';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { AnalysisModels } from '@modules/analysis/application/analysis-models';
import { TASK_PROPOSALS_ANSWER_SCHEMA } from '@modules/analysis/domain/task-proposal/task-proposals-answer.schema';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const ANSWER_SCHEMA = { type: 'object', required: ['tasks'], properties: { tasks: { type: 'array', items: { type: 'string' } } } };

const meta = (workspaceId: string): CommandMetadata => ({ commandId: uuidv7(), workspaceId, actorId: null, correlationId: uuidv7(), now: new Date() });

describe('analysis configuration: providers, agent and task configs, assignments, project configs (e2e)', () => {
  let t: TestApp;
  let owner: SignedUp;
  let ws: string;
  let viewerKey: string;
  const base = () => `/api/v1/workspaces/${ws}/analysis`;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await signUp(t.app);
    ws = await createWorkspace(t.app, owner);
    viewerKey = (await t.http().post(`/api/v1/workspaces/${ws}/api-keys`).set(owner.auth).send({ name: 'dashboard', role: 'viewer' }).expect(201)).body.key;
  });
  afterAll(() => t?.close());

  const builtinProvider = async (name = `Offline ${uuidv7().slice(-6)}`) => (await t.http().post(`${base()}/providers`).set(owner.auth).send({ name, type: 'builtin' }).expect(201)).body;
  const agent = async (providerId: string, extra: Record<string, unknown> = {}) =>
    (await t.http().post(`${base()}/agent-configs`).set(owner.auth).send({ name: `Agent ${uuidv7().slice(-6)}`, providerId, modelName: 'm', systemPrompt: 'Find tasks', ...extra }).expect(201)).body;
  const task = async (extra: Record<string, unknown> = {}) =>
    (await t.http().post(`${base()}/task-configs`).set(owner.auth).send({ name: `Task ${uuidv7().slice(-6)}`, responseSchema: ANSWER_SCHEMA, ...extra }).expect(201)).body;

  describe('providers', () => {
    it('a builtin provider is connected at once; read, renamed with If-Match, listed, deleted', async () => {
      const p = await builtinProvider('Offline one');
      expect(p).toEqual(expect.objectContaining({ name: 'Offline one', type: 'builtin', baseUrl: null, hasApiKey: false, isActive: true, validationStatus: 'connected', validationError: null }));
      expect(p.validatedAt).toEqual(expect.any(String));
      const got = await t.http().get(`${base()}/providers/${p.id}`).set(owner.auth).expect(200);
      expect(got.headers.etag).toBe(`"${p.streamVersion}"`);
      await t.http().patch(`${base()}/providers/${p.id}`).set(owner.auth).set('If-Match', '"999"').send({ name: 'x' }).expect(412);
      const renamed = await t.http().patch(`${base()}/providers/${p.id}`).set(owner.auth).set('If-Match', got.headers.etag).send({ name: 'Offline renamed', isActive: false }).expect(200);
      expect(renamed.body).toEqual(expect.objectContaining({ name: 'Offline renamed', isActive: false }));
      const list = await t.http().get(`${base()}/providers?active=false`).set(owner.auth).expect(200);
      expect(list.body.items.map((i: { id: string }) => i.id)).toContain(p.id);
      // The old name is free again after the rename.
      await builtinProvider('offline ONE');
      await t.http().delete(`${base()}/providers/${p.id}`).set(owner.auth).expect(204);
      await t.http().get(`${base()}/providers/${p.id}`).set(owner.auth).expect(404);
      await builtinProvider('Offline renamed');
    });

    it('names are unique per workspace whatever their case (409), and another workspace may use them', async () => {
      await builtinProvider('Shared name');
      const dup = await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'shared NAME', type: 'builtin' }).expect(409);
      expect(dup.body.code).toBe('ANALYSIS.NAME_TAKEN');
      const other = await createWorkspace(t.app, owner);
      await t.http().post(`/api/v1/workspaces/${other}/analysis/providers`).set(owner.auth).send({ name: 'Shared name', type: 'builtin' }).expect(201);
    });

    it('refuses a builtin with a URL, another type without one, and a bad URL (400)', async () => {
      await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'b', type: 'builtin', baseUrl: 'https://api.example.com/v1' }).expect(400);
      await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'o', type: 'openai-compatible' }).expect(400);
      await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'o', type: 'openai-compatible', baseUrl: 'ftp://x.example.com' }).expect(400);
      await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'o', type: 'gemini', baseUrl: 'https://x.example.com' }).expect(400);
    });
  });

  describe('agent configs', () => {
    it('CRUD with the seed defaults (temperature 0.7), a provider of the workspace, unique names', async () => {
      const p = await builtinProvider();
      const a = await agent(p.id, { name: 'Detector' });
      expect(a).toEqual(expect.objectContaining({ name: 'Detector', providerId: p.id, modelName: 'm', systemPrompt: 'Find tasks', description: null, temperature: 0.7, maxTokens: null, isActive: true }));
      await t.http().post(`${base()}/agent-configs`).set(owner.auth).send({ name: 'DETECTOR', providerId: p.id, modelName: 'm', systemPrompt: 's' }).expect(409);
      const changed = await t.http().patch(`${base()}/agent-configs/${a.id}`).set(owner.auth).send({ temperature: 1.5, maxTokens: 800, description: 'd' }).expect(200);
      expect(changed.body).toEqual(expect.objectContaining({ temperature: 1.5, maxTokens: 800, description: 'd', streamVersion: a.streamVersion + 1 }));
      // A provider in use cannot be deleted.
      expect((await t.http().delete(`${base()}/providers/${p.id}`).set(owner.auth).expect(409)).body.code).toBe('ANALYSIS.CONFIGURATION_IN_USE');
      await t.http().delete(`${base()}/agent-configs/${a.id}`).set(owner.auth).expect(204);
      await t.http().get(`${base()}/agent-configs/${a.id}`).set(owner.auth).expect(404);
      await t.http().delete(`${base()}/providers/${p.id}`).set(owner.auth).expect(204);
    });

    it('temperature outside 0-2 is a 400; an unknown provider a 404', async () => {
      const p = await builtinProvider();
      for (const temperature of [-0.1, 2.01, 'hot']) {
        await t.http().post(`${base()}/agent-configs`).set(owner.auth).send({ name: 'hot', providerId: p.id, modelName: 'm', systemPrompt: 's', temperature }).expect(400);
      }
      const a = await agent(p.id, { temperature: 2 });
      await t.http().patch(`${base()}/agent-configs/${a.id}`).set(owner.auth).send({ temperature: 3 }).expect(400);
      await t.http().post(`${base()}/agent-configs`).set(owner.auth).send({ name: 'x', providerId: uuidv7(), modelName: 'm', systemPrompt: 's' }).expect(404);
    });
  });

  describe('task configs', () => {
    it('keeps a valid JSON Schema; refuses one ajv cannot compile with its error (400)', async () => {
      const c = await task({ name: 'Proposals', description: 'what to find' });
      expect(c).toEqual(expect.objectContaining({ name: 'Proposals', description: 'what to find', responseSchema: ANSWER_SCHEMA, isActive: true }));
      for (const responseSchema of [{ type: 'banana' }, { type: 'object', requried: ['x'] }, { properties: { a: { minLength: -1 } } }]) {
        const res = await t.http().post(`${base()}/task-configs`).set(owner.auth).send({ name: `bad ${uuidv7()}`, responseSchema }).expect(400);
        expect(res.body.errors).toEqual([expect.objectContaining({ field: 'responseSchema', message: expect.any(String) })]);
      }
      await t.http().patch(`${base()}/task-configs/${c.id}`).set(owner.auth).send({ responseSchema: { type: 'nope' } }).expect(400);
      await t.http().post(`${base()}/task-configs`).set(owner.auth).send({ name: 'proposals', responseSchema: ANSWER_SCHEMA }).expect(409);
    });
  });

  describe('assignments', () => {
    it('an agent is assigned to a task once (409); deleting frees the pair; configs in use cannot be deleted', async () => {
      const p = await builtinProvider();
      const a = await agent(p.id);
      const c = await task();
      const first = await t.http().post(`${base()}/assignments`).set(owner.auth).send({ agentId: a.id, taskId: c.id }).expect(201);
      expect(first.body).toEqual(expect.objectContaining({ agentId: a.id, taskId: c.id, isActive: true, assignedAt: expect.any(String) }));
      expect((await t.http().post(`${base()}/assignments`).set(owner.auth).send({ agentId: a.id, taskId: c.id }).expect(409)).body.code).toBe('ANALYSIS.ASSIGNMENT_EXISTS');
      await t.http().delete(`${base()}/agent-configs/${a.id}`).set(owner.auth).expect(409);
      await t.http().delete(`${base()}/task-configs/${c.id}`).set(owner.auth).expect(409);
      const off = await t.http().patch(`${base()}/assignments/${first.body.id}`).set(owner.auth).send({ isActive: false }).expect(200);
      expect(off.body.isActive).toBe(false);
      const listed = await t.http().get(`${base()}/assignments?agentId=${a.id}`).set(owner.auth).expect(200);
      expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([first.body.id]);
      await t.http().delete(`${base()}/assignments/${first.body.id}`).set(owner.auth).expect(204);
      await t.http().post(`${base()}/assignments`).set(owner.auth).send({ agentId: a.id, taskId: c.id }).expect(201);
    });
  });

  describe('AnalysisModels', () => {
    it('ensureBuiltinAssignment creates the built-in provider, agent, task and assignment once, even when called concurrently', async () => {
      const space = await createWorkspace(t.app, owner);
      const models = t.app.get(AnalysisModels);
      const [a, b, c] = await Promise.all([models.ensureBuiltinAssignment(space, meta(space)), models.ensureBuiltinAssignment(space, meta(space)), models.ensureBuiltinAssignment(space, meta(space))]);
      expect(b).toEqual(a);
      expect(c).toEqual(a);
      expect(a).toEqual({
        id: expect.any(String),
        provider: expect.objectContaining({ name: 'Built-in', type: 'builtin', baseUrl: null, validationStatus: 'connected' }),
        agent: expect.objectContaining({ name: 'Built-in task detector', providerId: a.provider.id }),
        task: expect.objectContaining({ name: 'Task proposals', responseSchema: TASK_PROPOSALS_ANSWER_SCHEMA }),
      });
      expect(await models.ensureBuiltinAssignment(space, meta(space))).toEqual(a);
      expect(await models.assignment(space, a.id)).toEqual(a);
      const counts = await t.pool.query(
        `SELECT (SELECT count(*) FROM analysis_llm_providers_view WHERE workspace_id = $1)::int AS providers,
                (SELECT count(*) FROM analysis_agent_configs_view WHERE workspace_id = $1)::int AS agents,
                (SELECT count(*) FROM analysis_task_configs_view WHERE workspace_id = $1)::int AS tasks,
                (SELECT count(*) FROM analysis_agent_task_assignments_view WHERE workspace_id = $1)::int AS assignments`,
        [space],
      );
      expect(counts.rows[0]).toEqual({ providers: 1, agents: 1, tasks: 1, assignments: 1 });
      expect(await models.model(space, a.provider.id, a.agent.modelName)).toEqual({ builtin: true, provider: a.provider, model: a.agent.modelName });
      // Not another workspace's.
      expect(await models.assignment(ws, a.id)).toBeNull();
      expect(await models.model(ws, a.provider.id, 'm')).toBeNull();
    });

    it('makes the built-in items again after an admin deleted or deactivated them, and steps around a name a user took', async () => {
      const space = await createWorkspace(t.app, owner);
      await t.http().post(`/api/v1/workspaces/${space}/analysis/task-configs`).set(owner.auth).send({ name: 'task proposals', responseSchema: ANSWER_SCHEMA }).expect(201);
      const models = t.app.get(AnalysisModels);
      const first = await models.ensureBuiltinAssignment(space, meta(space));
      expect(first.task.name).toBe('Task proposals 2');
      await t.http().delete(`/api/v1/workspaces/${space}/analysis/assignments/${first.id}`).set(owner.auth).expect(204);
      await t.http().patch(`/api/v1/workspaces/${space}/analysis/agent-configs/${first.agent.id}`).set(owner.auth).send({ isActive: false }).expect(200);
      expect(await models.assignment(space, first.id)).toBeNull();
      const again = await models.ensureBuiltinAssignment(space, meta(space));
      expect(again).toEqual(first);
    });
  });

  describe('access', () => {
    it('viewers read but cannot write (403); another workspace\'s ids are 404', async () => {
      const p = await builtinProvider();
      const viewer = { 'X-API-Key': viewerKey };
      await t.http().get(`${base()}/providers/${p.id}`).set(viewer).expect(200);
      await t.http().get(`${base()}/agent-configs`).set(viewer).expect(200);
      await t.http().post(`${base()}/providers`).set(viewer).send({ name: 'v', type: 'builtin' }).expect(403);
      await t.http().patch(`${base()}/providers/${p.id}`).set(viewer).send({ name: 'v' }).expect(403);
      await t.http().post(`${base()}/task-configs`).set(viewer).send({ name: 'v', responseSchema: ANSWER_SCHEMA }).expect(403);
      await t.http().delete(`${base()}/providers/${p.id}`).set(viewer).expect(403);
      const other = await createWorkspace(t.app, owner);
      await t.http().get(`/api/v1/workspaces/${other}/analysis/providers/${p.id}`).set(owner.auth).expect(404);
      await t.http().patch(`/api/v1/workspaces/${other}/analysis/providers/${p.id}`).set(owner.auth).send({ name: 'x' }).expect(404);
      await t.http().delete(`/api/v1/workspaces/${other}/analysis/providers/${p.id}`).set(owner.auth).expect(404);
      await t.http().post(`/api/v1/workspaces/${other}/analysis/agent-configs`).set(owner.auth).send({ name: 'x', providerId: p.id, modelName: 'm', systemPrompt: 's' }).expect(404);
    });
  });
});
