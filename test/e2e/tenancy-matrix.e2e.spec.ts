import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { createWorkspace, signUp, SignedUp, signUpVerified } from '@test/support/identity-client';
import { routeTable, RouteInfo } from '@test/support/route-table';
import { createTestApp, TestApp } from '@test/support/test-app';

/**
 * Every workspace-scoped route, enumerated from the Nest router metadata, against the tenancy
 * rules: no credentials -> 401; a member of workspace A (or A's API key) on B -> 404; a viewer
 * of B writing -> 403. Writes a viewer may do (leaving a workspace) are listed by name.
 */
const VIEWER_WRITES = new Set([
  'DELETE /api/v1/workspaces/:workspaceId/members/:userId',
  // Asking reads knowledge; the conversation is the asker's own (and so is archiving it).
  'POST /api/v1/workspaces/:workspaceId/ask',
  'DELETE /api/v1/workspaces/:workspaceId/conversations/:conversationId',
]);

describe('tenancy matrix over every workspace-scoped route (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  let routes: RouteInfo[];
  let memberOfA: SignedUp;
  let viewerOfB: SignedUp;
  let apiKeyOfA: string;
  let wsB: string;

  beforeAll(async () => {
    testApp = await createTestApp();
    app = testApp.app;
    routes = routeTable(app).filter((r) => r.path.includes(':workspaceId'));
    memberOfA = await signUp(app);
    const wsA = await createWorkspace(app, memberOfA);
    const ownerOfB = await signUp(app);
    wsB = await createWorkspace(app, ownerOfB);
    viewerOfB = await signUpVerified(app);
    await request(app.getHttpServer()).post(`/api/v1/workspaces/${wsB}/members`).set(ownerOfB.auth).send({ email: viewerOfB.email, role: 'viewer' }).expect(201);
    const key = await request(app.getHttpServer()).post(`/api/v1/workspaces/${wsA}/api-keys`).set(memberOfA.auth).send({ name: 'a', role: 'admin' }).expect(201);
    apiKeyOfA = key.body.key;
  });
  afterAll(() => testApp?.close());

  const call = (r: RouteInfo, headers: Record<string, string>) => {
    const url = r.path.replace(':workspaceId', wsB).replace(/:(\w+)/g, () => uuidv7());
    const req = (request(app.getHttpServer()) as any)[r.method.toLowerCase()](url) as request.Test;
    for (const [k, v] of Object.entries(headers)) req.set(k, v);
    return r.method === 'GET' || r.method === 'DELETE' ? req : req.send({});
  };

  it('finds the workspace-scoped routes of every module (more than a handful, all guarded), and no write open to viewers by accident', () => {
    expect(routes.length).toBeGreaterThan(15);
    const unguarded = routes.filter((r) => r.minWorkspaceRole === undefined).map((r) => `${r.method} ${r.path}`);
    expect(unguarded).toEqual([]);
    const viewerWrites = routes.filter((r) => r.method !== 'GET' && r.minWorkspaceRole === 'viewer').map((r) => `${r.method} ${r.path}`);
    expect(viewerWrites.sort()).toEqual([...VIEWER_WRITES].sort());
  });

  it('answers 401 without credentials on every one', async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      const res = await call(r, {});
      if (res.status !== 401) wrong.push(`${r.method} ${r.path} -> ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it("answers 404 to a member of another workspace and to another workspace's API key, on every one", async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      for (const [who, headers] of [
        ['member of A', memberOfA.auth],
        ['API key of A', { 'X-API-Key': apiKeyOfA }],
      ] as const) {
        const res = await call(r, headers as Record<string, string>);
        if (res.status !== 404 || res.body.code !== 'NOT_FOUND') wrong.push(`${who}: ${r.method} ${r.path} -> ${res.status} ${res.body.code}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 403 to a viewer on every write (and on reads above a viewer), and lets the viewer through the guard on the rest', async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      const res = await call(r, viewerOfB.auth);
      const write = r.method !== 'GET';
      const key = `${r.method} ${r.path}`;
      // Writes need more than a viewer (a few self-service ones aside); some reads do too (API keys, invitations).
      if ((write && !VIEWER_WRITES.has(key)) || r.minWorkspaceRole !== 'viewer') {
        if (res.status !== 403) wrong.push(`${key} -> ${res.status} (expected 403)`);
      } else if (res.status === 401 || res.status === 403 || (res.status === 404 && /^No workspace/.test(res.body.detail ?? ''))) {
        wrong.push(`${key} -> ${res.status} (the guard refused a member)`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
