import { Global, Module } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { CliModule } from '@app/cli/cli.module';
import { EncryptedColumns } from '@libs/common/crypto/encrypted-columns';
import { SecretBox } from '@libs/common/crypto/secret-box';
import { formatSecretKey } from '@libs/common/crypto/secret-keys';
import { SecretRotation } from '@libs/common/crypto/secret-rotation';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { v7 as uuidv7 } from 'uuid';
import { OUTBOUND_RESOLVER, ResolveAll } from '@libs/common/net/outbound-guard';
import { SECRET_WITHHELD } from '@libs/event-store/audit-visibility';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { AnalysisModels } from '@modules/analysis/application/analysis-models';
import { TASK_PROPOSALS_ANSWER_SCHEMA } from '@modules/analysis/domain/task-proposal/task-proposals-answer.schema';
import { eventually } from '@test/support/eventually';
import { FakeOpenAiServer } from '@test/support/fakes/fake-openai-server';
import { createWorkspace, signUp, SignedUp, signUpVerified, uniqueSecret } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const ANSWER_SCHEMA = { type: 'object', required: ['tasks'], properties: { tasks: { type: 'array', items: { type: 'string' } } } };

/** Names under `.inward.test` resolve to a private address, as a DNS name an attacker controls would. */
const resolveInward: ResolveAll = async (hostname) =>
  hostname.endsWith('.inward.test') ? [{ address: '10.9.8.7', family: 4 }] : Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));

@Global()
@Module({ providers: [{ provide: OUTBOUND_RESOLVER, useValue: resolveInward }], exports: [OUTBOUND_RESOLVER] })
class InwardResolverModule {}

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

    it('refuses a base URL that points inward with the default guard (no CONNECTOR_ALLOWED_HOSTS): loopback, private, metadata (400)', async () => {
      for (const baseUrl of ['http://127.0.0.1:11434/v1', 'http://localhost:8000/v1', 'http://10.0.0.5/v1', 'http://[::1]:8080/v1', 'http://169.254.169.254/latest', 'http://0x7f.1/v1']) {
        const res = await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: `inward ${uuidv7()}`, type: 'ollama', baseUrl }).expect(400);
        expect(res.body.errors).toEqual([expect.objectContaining({ field: 'baseUrl', message: expect.stringContaining('refused') })]);
      }
    });

    it('refuses a builtin with a URL, another type without one, and a bad URL (400)', async () => {
      await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'b', type: 'builtin', baseUrl: 'https://api.example.com/v1' }).expect(400);
      await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'o', type: 'openai-compatible' }).expect(400);
      await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'o', type: 'openai-compatible', baseUrl: 'ftp://x.example.com' }).expect(400);
      await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'o', type: 'gemini', baseUrl: 'https://x.example.com' }).expect(400);
    });
  });

  describe('lists and retries', () => {
    it('pages by name with an opaque cursor (limit default 50, max 500); a forged cursor or limit is a 400', async () => {
      const space = await createWorkspace(t.app, owner);
      const names = ['delta', 'Alpha', 'charlie', 'bravo', 'echo'];
      for (const name of names) await t.http().post(`/api/v1/workspaces/${space}/analysis/task-configs`).set(owner.auth).send({ name, responseSchema: ANSWER_SCHEMA }).expect(201);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { name: string }[]; nextCursor: string | null } } = await t
          .http()
          .get(`/api/v1/workspaces/${space}/analysis/task-configs`)
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set(owner.auth)
          .expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((i) => i.name));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(['Alpha', 'bravo', 'charlie', 'delta', 'echo']);
      await t.http().get(`/api/v1/workspaces/${space}/analysis/task-configs?cursor=forged`).set(owner.auth).expect(400);
      await t.http().get(`/api/v1/workspaces/${space}/analysis/task-configs?limit=501`).set(owner.auth).expect(400);
      const providersCursor = Buffer.from(JSON.stringify({ k: 'analysis.providers', v: ['a', uuidv7()] })).toString('base64url');
      await t.http().get(`/api/v1/workspaces/${space}/analysis/task-configs?cursor=${providersCursor}`).set(owner.auth).expect(400);
    });

    it('a create retried under the same Idempotency-Key answers the first item, not a 409', async () => {
      const key = uuidv7();
      const body = { name: `Retried ${uuidv7().slice(-6)}`, type: 'builtin' };
      const first = await t.http().post(`${base()}/providers`).set(owner.auth).set('Idempotency-Key', key).send(body).expect(201);
      const again = await t.http().post(`${base()}/providers`).set(owner.auth).set('Idempotency-Key', key).send(body).expect(201);
      expect(again.body.id).toBe(first.body.id);
      await t.http().post(`${base()}/providers`).set(owner.auth).set('Idempotency-Key', key).send({ ...body, name: 'Another' }).expect(422);
      await t.http().post(`${base()}/providers`).set(owner.auth).send(body).expect(409);
    });
  });

  describe('agent configs', () => {
    it('CRUD with the seed defaults (temperature 0.7), a provider of the workspace, unique names', async () => {
      const p = await builtinProvider();
      const a = await agent(p.id, { name: 'Detector' });
      expect(a).toEqual(expect.objectContaining({ name: 'Detector', providerId: p.id, modelName: 'm', systemPrompt: 'Find tasks', description: null, temperature: 0.7, maxTokens: null, isActive: true }));
      await t.http().post(`${base()}/agent-configs`).set(owner.auth).send({ name: 'DETECTOR', providerId: p.id, modelName: 'm', systemPrompt: 's' }).expect(409);
      // Another case of its own name is still its name.
      expect((await t.http().patch(`${base()}/agent-configs/${a.id}`).set(owner.auth).send({ name: 'detector' }).expect(200)).body.name).toBe('detector');
      await t.http().post(`${base()}/agent-configs`).set(owner.auth).send({ name: 'Detector', providerId: p.id, modelName: 'm', systemPrompt: 's' }).expect(409);
      const changed = await t.http().patch(`${base()}/agent-configs/${a.id}`).set(owner.auth).send({ temperature: 1.5, maxTokens: 800, description: 'd' }).expect(200);
      expect(changed.body).toEqual(expect.objectContaining({ temperature: 1.5, maxTokens: 800, description: 'd', streamVersion: a.streamVersion + 2 }));
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

  describe('project configs', () => {
    it('CRUD with every seed field; default assignees and the PM must be members; unique names; AnalysisModels reads the active ones', async () => {
      const member = await signUpVerified(t.app);
      const added = await t.http().post(`/api/v1/workspaces/${ws}/members`).set(owner.auth).send({ email: member.email, role: 'member' }).expect(201);
      expect(added.body.status).toBe('added');
      const stranger = await signUp(t.app);
      const body = {
        name: 'Mobile app',
        description: 'The iOS and Android apps',
        keywords: ['ios', 'android', ' iOS ', 'push'],
        glossary: { PN: 'push notification' },
        components: [{ name: 'login' }, { name: 'sync', owner: 'ana' }],
        defaultAssigneeIds: [member.userId],
        pmUserId: owner.userId,
        priorityRules: { critical: ['crash', 'data loss'], high: ['customer'] },
        version: '2.1',
      };
      const created = await t.http().post(`${base()}/projects`).set(owner.auth).send(body).expect(201);
      expect(created.body).toEqual(expect.objectContaining({ ...body, keywords: ['ios', 'android', 'push'], isActive: true }));
      expect(created.headers.etag).toBe(`"${created.body.streamVersion}"`);
      await t.http().post(`${base()}/projects`).set(owner.auth).send({ ...body, name: 'MOBILE APP' }).expect(409);

      const notMembers = await t.http().post(`${base()}/projects`).set(owner.auth).send({ ...body, name: 'Web', defaultAssigneeIds: [member.userId, stranger.userId], pmUserId: stranger.userId }).expect(400);
      expect(notMembers.body.errors).toEqual([
        expect.objectContaining({ field: 'defaultAssigneeIds.1', message: expect.stringContaining('not a member') }),
        expect.objectContaining({ field: 'pmUserId', message: expect.stringContaining('not a member') }),
      ]);
      for (const bad of [{ priorityRules: { urgent: ['x'] } }, { priorityRules: { high: 'customer' } }, { glossary: { PN: 3 } }, { glossary: ['x'] }, { components: ['x'] }, { pmUserId: 'nope' }]) {
        await t.http().post(`${base()}/projects`).set(owner.auth).send({ ...body, name: `Bad ${uuidv7()}`, ...bad }).expect(400);
      }

      const changed = await t.http().patch(`${base()}/projects/${created.body.id}`).set(owner.auth).set('If-Match', created.headers.etag).send({ version: '2.2', pmUserId: member.userId, keywords: ['mobile'] }).expect(200);
      expect(changed.body).toEqual(expect.objectContaining({ version: '2.2', pmUserId: member.userId, keywords: ['mobile'], glossary: body.glossary }));
      await t.http().patch(`${base()}/projects/${created.body.id}`).set(owner.auth).set('If-Match', created.headers.etag).send({ version: '9' }).expect(412);
      await t.http().patch(`${base()}/projects/${created.body.id}`).set(owner.auth).send({ pmUserId: stranger.userId }).expect(400);

      const models = t.app.get(AnalysisModels);
      expect(await models.project(ws, created.body.id)).toEqual({
        id: created.body.id,
        name: 'Mobile app',
        description: body.description,
        keywords: ['mobile'],
        glossary: body.glossary,
        components: body.components,
        defaultAssigneeIds: [member.userId],
        pmUserId: member.userId,
        priorityRules: body.priorityRules,
        version: '2.2',
      });
      expect((await models.projects(ws)).map((p) => p.id)).toContain(created.body.id);
      await t.http().patch(`${base()}/projects/${created.body.id}`).set(owner.auth).send({ isActive: false }).expect(200);
      expect(await models.project(ws, created.body.id)).toBeNull();
      expect((await models.projects(ws)).map((p) => p.id)).not.toContain(created.body.id);

      const listed = await t.http().get(`${base()}/projects?limit=1`).set(owner.auth).expect(200);
      expect(listed.body.items).toHaveLength(1);
      await t.http().delete(`${base()}/projects/${created.body.id}`).set(owner.auth).expect(204);
      await t.http().get(`${base()}/projects/${created.body.id}`).set(owner.auth).expect(404);
      await t.http().post(`${base()}/projects`).set(owner.auth).send(body).expect(201);
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
    it('viewers and members read but cannot write (403); another workspace\'s ids are 404', async () => {
      const p = await builtinProvider();
      const viewer = { 'X-API-Key': viewerKey };
      await t.http().get(`${base()}/providers/${p.id}`).set(viewer).expect(200);
      await t.http().get(`${base()}/agent-configs`).set(viewer).expect(200);
      await t.http().post(`${base()}/providers`).set(viewer).send({ name: 'v', type: 'builtin' }).expect(403);
      await t.http().patch(`${base()}/providers/${p.id}`).set(viewer).send({ name: 'v' }).expect(403);
      await t.http().post(`${base()}/task-configs`).set(viewer).send({ name: 'v', responseSchema: ANSWER_SCHEMA }).expect(403);
      await t.http().delete(`${base()}/providers/${p.id}`).set(viewer).expect(403);
      // Configuration is the admins': a member reads it too, and writes nothing.
      const memberKey = (await t.http().post(`/api/v1/workspaces/${ws}/api-keys`).set(owner.auth).send({ name: 'member', role: 'member' }).expect(201)).body.key;
      const member = { 'X-API-Key': memberKey };
      await t.http().get(`${base()}/providers`).set(member).expect(200);
      await t.http().post(`${base()}/projects`).set(member).send({ name: 'm', pmUserId: owner.userId }).expect(403);
      await t.http().post(`${base()}/providers/${p.id}/validate`).set(member).expect(403);
      await t.http().post(`${base()}/assignments`).set(member).send({ agentId: uuidv7(), taskId: uuidv7() }).expect(403);
      const other = await createWorkspace(t.app, owner);
      await t.http().get(`/api/v1/workspaces/${other}/analysis/providers/${p.id}`).set(owner.auth).expect(404);
      await t.http().patch(`/api/v1/workspaces/${other}/analysis/providers/${p.id}`).set(owner.auth).send({ name: 'x' }).expect(404);
      await t.http().delete(`/api/v1/workspaces/${other}/analysis/providers/${p.id}`).set(owner.auth).expect(404);
      await t.http().post(`/api/v1/workspaces/${other}/analysis/agent-configs`).set(owner.auth).send({ name: 'x', providerId: p.id, modelName: 'm', systemPrompt: 's' }).expect(404);
    });
  });
});

/**
 * Validation by a real call against a local fake OpenAI-compatible server: loopback is allowed
 * here the way ingestion's tests allow it (CONNECTOR_ALLOWED_HOSTS=127.0.0.1); other inward
 * addresses stay refused, at save time for literals and at connect time for names.
 */
describe('analysis configuration: provider validation by a real call (e2e)', () => {
  const KEY = uniqueSecret('sk-live');
  const SECRETS_KEY = SecretBox.generateKey('k1');
  let fake: FakeOpenAiServer;
  let t: TestApp;
  let owner: SignedUp;
  let ws: string;
  const base = () => `/api/v1/workspaces/${ws}/analysis`;
  const modelRequests = () => fake.requests.filter((r) => r.path === '/v1/models');
  const settled = (id: string) =>
    eventually(async () => {
      const p = (await t.http().get(`${base()}/providers/${id}`).set(owner.auth).expect(200)).body;
      return p.validationStatus === 'connected' || p.validationStatus === 'error' ? p : false;
    }, 20_000, 50);

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start({ apiKey: KEY });
    t = await createTestApp({ env: { CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', SECRETS_KEYS: formatSecretKey(SECRETS_KEY) }, extraModules: [InwardResolverModule] });
    owner = await signUp(t.app);
    ws = await createWorkspace(t.app, owner);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('pending, then connected after listing the models with the key; the key is in no answer and no event', async () => {
    const before = modelRequests().length;
    const created = await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'Fake OpenAI', type: 'openai-compatible', baseUrl: fake.baseUrl, apiKey: KEY }).expect(201);
    expect(created.body).toEqual(expect.objectContaining({ validationStatus: 'pending', hasApiKey: true, baseUrl: fake.baseUrl }));
    const p = await settled(created.body.id);
    expect(p).toEqual(expect.objectContaining({ validationStatus: 'connected', validationError: null, validatedAt: expect.any(String) }));
    expect(modelRequests().slice(before)).toEqual([expect.objectContaining({ method: 'GET', status: 200, headers: expect.objectContaining({ authorization: `Bearer ${KEY}` }) })]);
    const answers = [created.body, p, (await t.http().get(`${base()}/providers`).set(owner.auth).expect(200)).body];
    for (const a of answers) expect(JSON.stringify(a)).not.toContain(KEY);
    // Every event of the provider: sealed ciphertext only, and the validation steps in order.
    const events = await t.pool.query(`SELECT event_type AS type, payload AS data FROM events WHERE stream_id = $1 ORDER BY stream_version`, [`analysis-llm-provider-${p.id}`]);
    expect(events.rows.map((r) => r.type)).toEqual(['analysis.llm-provider-created', 'analysis.llm-provider-validation-requested', 'analysis.llm-provider-validation-started', 'analysis.llm-provider-validated']);
    expect(events.rows[0].data.settings.apiKeyCiphertext).toMatch(/^v1\./);
    const all = await t.pool.query(`SELECT payload::text || metadata::text AS data FROM events WHERE event_type LIKE 'analysis.%'`);
    for (const r of all.rows) expect(r.data).not.toContain(KEY);
    // Read from the log (the audit trail), the ciphertext is withheld too.
    const audit = await t.http().get(`/api/v1/workspaces/${ws}/audit/streams/analysis-llm-provider-${p.id}`).set(owner.auth).expect(200);
    expect(JSON.stringify(audit.body)).toContain('analysis.llm-provider-created');
    expect(JSON.stringify(audit.body)).not.toContain(events.rows[0].data.settings.apiKeyCiphertext);
    expect(JSON.stringify(audit.body)).toContain(SECRET_WITHHELD);
  });

  it('a refused key ends in error with the server\'s reason kept and the key stripped from it; a new key is validated again', async () => {
    const wrong = uniqueSecret('sk-wrong');
    // A server that echoes the key it was given in its error, as some do.
    const echoing = await FakeOpenAiServer.start();
    try {
      echoing.failNext(1, { status: 401, body: { error: { message: `Incorrect API key provided: ${wrong}`, type: 'invalid_request_error', code: 'invalid_api_key' } } }, '/v1/models');
      const created = await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'Wrong key', type: 'openai-compatible', baseUrl: echoing.baseUrl, apiKey: wrong }).expect(201);
      const failed = await settled(created.body.id);
      expect(failed.validationStatus).toBe('error');
      expect(failed.validationError).toContain('401');
      expect(failed.validationError).toContain('Incorrect API key provided');
      expect(failed.validationError).not.toContain(wrong);
      expect(echoing.requests).toEqual([expect.objectContaining({ path: '/v1/models', status: 401, headers: expect.objectContaining({ authorization: `Bearer ${wrong}` }) })]);
      const all = await t.pool.query(`SELECT payload::text || metadata::text AS data FROM events WHERE event_type LIKE 'analysis.%'`);
      for (const r of all.rows) expect(r.data).not.toContain(wrong);

      const fixed = await t.http().patch(`${base()}/providers/${created.body.id}`).set(owner.auth).send({ apiKey: KEY }).expect(200);
      expect(fixed.body).toEqual(expect.objectContaining({ validationStatus: 'pending', validationError: null }));
      expect(await settled(created.body.id)).toEqual(expect.objectContaining({ validationStatus: 'connected', validationError: null }));
      expect(echoing.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${wrong}`, `Bearer ${KEY}`]);
    } finally {
      await echoing.close();
    }
  });

  it('POST .../validate runs the call again; an unreachable server is an error; builtin is connected without a call', async () => {
    const created = await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'Again', type: 'openai-compatible', baseUrl: fake.baseUrl, apiKey: KEY }).expect(201);
    await settled(created.body.id);
    const before = modelRequests().length;
    fake.failNext(1, { status: 500 }, '/v1/models');
    const again = await t.http().post(`${base()}/providers/${created.body.id}/validate`).set(owner.auth).expect(202);
    expect(again.body.validationStatus).toBe('pending');
    const failed = await settled(created.body.id);
    expect(failed).toEqual(expect.objectContaining({ validationStatus: 'error', validationError: expect.stringContaining('500') }));
    expect(modelRequests().length).toBe(before + 1);

    const closed = await FakeOpenAiServer.start();
    const gone = closed.baseUrl;
    await closed.close();
    const dead = await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'Gone', type: 'openai-compatible', baseUrl: gone }).expect(201);
    expect(await settled(dead.body.id)).toEqual(expect.objectContaining({ validationStatus: 'error', validationError: expect.stringContaining('cannot reach') }));

    const builtin = await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'Offline', type: 'builtin' }).expect(201);
    const revalidated = await t.http().post(`${base()}/providers/${builtin.body.id}/validate`).set(owner.auth).expect(202);
    expect(revalidated.body.validationStatus).toBe('connected');
  });

  it('ollama is reached on its OpenAI-compatible /v1', async () => {
    const server = fake.baseUrl.replace(/\/v1$/, '');
    const created = await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'Local ollama', type: 'ollama', baseUrl: server, apiKey: KEY }).expect(201);
    expect(await settled(created.body.id)).toEqual(expect.objectContaining({ validationStatus: 'connected' }));
  });

  it('inward stays refused: a private literal when saved (400), a name resolving inward when connecting (error, nothing sent)', async () => {
    await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'Private', type: 'openai-compatible', baseUrl: 'http://10.0.0.8/v1' }).expect(400);
    await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'Metadata', type: 'openai-compatible', baseUrl: 'http://169.254.169.254/v1' }).expect(400);
    const before = fake.requests.length;
    const created = await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'Rebinding', type: 'openai-compatible', baseUrl: 'http://llm.inward.test/v1', apiKey: KEY }).expect(201);
    const failed = await settled(created.body.id);
    expect(failed.validationStatus).toBe('error');
    expect(failed.validationError).toMatch(/refused/);
    expect(failed.validationError).not.toContain(KEY);
    expect(fake.requests.length).toBe(before);
  });

  it('AnalysisModels.model gives a metered client of the provider: its calls land in llm_usage_logs', async () => {
    const created = await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'Metered', type: 'openai-compatible', baseUrl: fake.baseUrl, apiKey: KEY }).expect(201);
    const models = t.app.get(AnalysisModels);
    const model = await models.model(ws, created.body.id, 'fake-model');
    if (!model || model.builtin) throw new Error('expected a client');
    expect(model.provider).toEqual(expect.objectContaining({ id: created.body.id, type: 'openai-compatible', baseUrl: fake.baseUrl }));
    fake.replyWith(() => 'hello');
    const answer = await model.client.complete({ messages: [{ role: 'user', content: 'hi' }] }, { workspaceId: ws, workflow: 'analysis.test', node: 'probe' });
    expect(answer.text).toBe('hello');
    const usage = await eventually(async () => {
      const r = await t.pool.query(`SELECT model, status, node_name FROM llm_usage_logs WHERE workspace_id = $1 AND workflow_name = 'analysis.test'`, [ws]);
      return r.rows.length ? r.rows : false;
    });
    expect(usage).toEqual([{ model: 'fake-model', status: 'ok', node_name: 'probe' }]);
    // A deactivated provider gives no client.
    await t.http().patch(`${base()}/providers/${created.body.id}`).set(owner.auth).send({ isActive: false }).expect(200);
    expect(await models.model(ws, created.body.id, 'fake-model')).toBeNull();
  });

  it('the CLI knows the read models (rebuilds) and the sealed key column: `secrets rotate` re-encrypts it under the new key, still bound to its provider', async () => {
    const context = await CommandFactory.createWithoutRunning(CliModule.forRoot(t.config), { logger: false });
    let registered: ReturnType<EncryptedColumns['list']>;
    try {
      registered = context.get(EncryptedColumns).list().filter((c) => c.table === 'analysis_llm_providers_view');
      expect(registered.map((c) => c.column)).toEqual(['api_key_encrypted']);
      const names = context.get(ProjectionRegistry).all().map((p) => p.name);
      expect(names).toEqual(expect.arrayContaining(['analysis.llm-providers', 'analysis.agent-configs', 'analysis.task-configs', 'analysis.agent-task-assignments', 'analysis.project-configs']));
    } finally {
      await context.close();
    }
    const created = await t.http().post(`${base()}/providers`).set(owner.auth).send({ name: 'Rotated', type: 'openai-compatible', baseUrl: fake.baseUrl, apiKey: KEY }).expect(201);
    await settled(created.body.id);
    const k2 = SecretBox.generateKey('k2');
    const summary = await new SecretRotation(t.pool, new SecretBox([k2, SECRETS_KEY]), new EncryptedColumns().register(...registered)).rotate();
    expect(summary.unreadable).toBe(0);
    expect(summary.reencrypted).toBeGreaterThanOrEqual(1);
    const { rows } = await t.pool.query(`SELECT api_key_encrypted FROM analysis_llm_providers_view WHERE id = $1`, [created.body.id]);
    expect(rows[0].api_key_encrypted).toMatch(/^v1\.k2\./);
    expect(new SecretBox([k2]).decrypt(rows[0].api_key_encrypted, `analysis-llm-provider:${created.body.id}`)).toBe(KEY);
  });
});
