import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { createWorkspace, invitationTokenIn, lastMail, signUp, signUpVerified, verifyEmail } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

describe('identity: workspaces, members, invitations, API keys (e2e)', () => {
  let testApp: TestApp | undefined;
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    testApp = await createTestApp();
    app = testApp.app;
  });
  afterAll(() => testApp?.close());

  const problem = (res: request.Response, status: number, code: string) => {
    expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  };

  it('creates a workspace (201 { id, name, slug }), the caller is its owner; slugs are generated unique, explicit ones refused when taken', async () => {
    const owner = await signUp(app);
    const name = `Équipe Produit ${uuidv7().slice(-6)}`;
    const res = await http().post('/api/v1/workspaces').set(owner.auth).send({ name }).expect(201);
    expect(res.body).toEqual(expect.objectContaining({ id: expect.any(String), name, slug: expect.stringMatching(/^equipe-produit-[a-z0-9]+$/), role: 'owner' }));
    const again = await http().post('/api/v1/workspaces').set(owner.auth).send({ name }).expect(201);
    expect(again.body.slug).toBe(`${res.body.slug}-2`);
    problem(await http().post('/api/v1/workspaces').set(owner.auth).send({ name: 'x', slug: res.body.slug }), 409, 'IDENTITY.SLUG_TAKEN');
    problem(await http().post('/api/v1/workspaces').set(owner.auth).send({ name: 'x', slug: '-Bad Slug-' }), 400, 'VALIDATION_FAILED');
    const mine = await http().get('/api/v1/workspaces').set(owner.auth).expect(200);
    expect(mine.body.items.map((w: { id: string }) => w.id)).toEqual([res.body.id, again.body.id]);
    const me = await http().get('/api/v1/me').set(owner.auth).expect(200);
    expect(me.body.workspaces).toEqual([expect.objectContaining({ id: res.body.id, role: 'owner' }), expect.objectContaining({ id: again.body.id, role: 'owner' })]);
    // Renaming to a free slug frees the old one.
    await http().patch(`/api/v1/workspaces/${res.body.id}`).set(owner.auth).send({ slug: `renamed-${uuidv7().slice(-6)}` }).expect(200);
    const reuse = await http().post('/api/v1/workspaces').set(owner.auth).send({ name: 'y', slug: res.body.slug }).expect(201);
    expect(reuse.body.slug).toBe(res.body.slug);
  });

  it('adds an existing account (verified email) as a member (201), invites an unknown email; roles are enforced; the last owner stays', async () => {
    const owner = await signUp(app);
    const ws = await createWorkspace(app, owner);
    const bob = await signUpVerified(app);
    const added = await http().post(`/api/v1/workspaces/${ws}/members`).set(owner.auth).send({ email: bob.email, role: 'viewer' }).expect(201);
    expect(added.body).toEqual(expect.objectContaining({ status: 'added', userId: bob.userId, role: 'viewer' }));
    problem(await http().post(`/api/v1/workspaces/${ws}/members`).set(owner.auth).send({ email: bob.email, role: 'member' }), 409, 'IDENTITY.ALREADY_MEMBER');
    const members = await http().get(`/api/v1/workspaces/${ws}/members`).set(bob.auth).expect(200);
    expect(members.body.items.map((m: { userId: string; role: string }) => [m.userId, m.role])).toEqual([
      [owner.userId, 'owner'],
      [bob.userId, 'viewer'],
    ]);
    // A viewer reads but does not write.
    problem(await http().post(`/api/v1/workspaces/${ws}/members`).set(bob.auth).send({ email: 'x@example.com', role: 'viewer' }), 403, 'FORBIDDEN');
    problem(await http().patch(`/api/v1/workspaces/${ws}`).set(bob.auth).send({ name: 'mine now' }), 403, 'FORBIDDEN');
    // An admin manages members but not owners.
    await http().patch(`/api/v1/workspaces/${ws}/members/${bob.userId}`).set(owner.auth).send({ role: 'admin' }).expect(200);
    problem(await http().patch(`/api/v1/workspaces/${ws}/members/${owner.userId}`).set(bob.auth).send({ role: 'member' }), 403, 'IDENTITY.ROLE_NOT_ALLOWED');
    problem(await http().delete(`/api/v1/workspaces/${ws}/members/${owner.userId}`).set(bob.auth), 403, 'IDENTITY.ROLE_NOT_ALLOWED');
    // The last owner can neither leave nor be demoted.
    problem(await http().delete(`/api/v1/workspaces/${ws}/members/${owner.userId}`).set(owner.auth), 422, 'IDENTITY.LAST_OWNER');
    problem(await http().patch(`/api/v1/workspaces/${ws}/members/${owner.userId}`).set(owner.auth).send({ role: 'admin' }), 422, 'IDENTITY.LAST_OWNER');
    // With a second owner, the first may go.
    await http().patch(`/api/v1/workspaces/${ws}/members/${bob.userId}`).set(owner.auth).send({ role: 'owner' }).expect(200);
    await http().delete(`/api/v1/workspaces/${ws}/members/${owner.userId}`).set(owner.auth).expect(204);
    await http().get(`/api/v1/workspaces/${ws}`).set(owner.auth).expect(404);
    problem(await http().post(`/api/v1/workspaces/${ws}/members`).set(bob.auth).send({ email: 'x', role: 'boss' }), 400, 'VALIDATION_FAILED');
  });

  it('invites by email; the invitee accepts with the emailed token once, only as that email, before expiry', async () => {
    const owner = await signUp(app);
    const ws = await createWorkspace(app, owner);
    const email = `carol-${uuidv7()}@example.com`;
    const invited = await http().post(`/api/v1/workspaces/${ws}/members`).set(owner.auth).send({ email, role: 'member' }).expect(201);
    expect(invited.body).toEqual(expect.objectContaining({ status: 'invited', invitationId: expect.any(String), email }));
    const token = invitationTokenIn((await lastMail(app, email, 'invitation')).body);
    const list = await http().get(`/api/v1/workspaces/${ws}/invitations`).set(owner.auth).expect(200);
    expect(list.body.items).toEqual([expect.objectContaining({ id: invited.body.invitationId, email, role: 'member', status: 'pending' })]);
    expect(JSON.stringify(list.body)).not.toContain(token);

    const mallory = await signUp(app);
    problem(await http().post('/api/v1/invitations/accept').set(mallory.auth).send({ token }), 403, 'IDENTITY.INVITATION_EMAIL_MISMATCH');
    const carol = await signUp(app, { email });
    // Only once the address is verified (the PIN reached its mailbox): anyone could have signed up with it.
    problem(await http().post('/api/v1/invitations/accept').set(carol.auth).send({ token }), 403, 'IDENTITY.EMAIL_NOT_VERIFIED');
    await verifyEmail(app, carol);
    await http().post('/api/v1/invitations/accept').set(carol.auth).send({ token }).expect(200, { workspaceId: ws, role: 'member' });
    problem(await http().post('/api/v1/invitations/accept').set(carol.auth).send({ token }), 409, 'IDENTITY.INVITATION_NOT_PENDING');
    problem(await http().post('/api/v1/invitations/accept').set(carol.auth).send({ token: 'x'.repeat(43) }), 404, 'IDENTITY.INVITATION_NOT_FOUND');
    await http().get(`/api/v1/workspaces/${ws}`).set(carol.auth).expect(200);

    // A revoked invitation cannot be accepted.
    const dave = `dave-${uuidv7()}@example.com`;
    const second = await http().post(`/api/v1/workspaces/${ws}/invitations`).set(owner.auth).send({ email: dave, role: 'viewer' }).expect(201);
    const daveToken = invitationTokenIn((await lastMail(app, dave, 'invitation')).body);
    await http().delete(`/api/v1/workspaces/${ws}/invitations/${second.body.invitationId}`).set(owner.auth).expect(204);
    const daveUser = await signUp(app, { email: dave });
    problem(await http().post('/api/v1/invitations/accept').set(daveUser.auth).send({ token: daveToken }), 409, 'IDENTITY.INVITATION_NOT_PENDING');
  });

  it('API keys: shown once, work as X-API-Key in their workspace only with their role, stop at revocation', async () => {
    const owner = await signUp(app);
    const ws = await createWorkspace(app, owner);
    const other = await createWorkspace(app, owner);
    const created = await http().post(`/api/v1/workspaces/${ws}/api-keys`).set(owner.auth).send({ name: 'ci', role: 'viewer' }).expect(201);
    expect(created.body).toEqual(expect.objectContaining({ id: expect.any(String), name: 'ci', role: 'viewer', key: expect.stringMatching(/^ck_[0-9a-f]{12}_/), prefix: expect.any(String) }));
    const key = created.body.key as string;
    const list = await http().get(`/api/v1/workspaces/${ws}/api-keys`).set(owner.auth).expect(200);
    expect(list.body.items).toEqual([expect.objectContaining({ id: created.body.id, prefix: created.body.prefix, revokedAt: null })]);
    // The secret part (base64url may itself hold '_': cut after the prefix, not split).
    expect(JSON.stringify(list.body)).not.toContain(key.slice(`ck_${created.body.prefix}_`.length));

    await http().get(`/api/v1/workspaces/${ws}`).set('X-API-Key', key).expect(200);
    await http().get(`/api/v1/workspaces/${ws}/members`).set('X-API-Key', key).expect(200);
    problem(await http().post(`/api/v1/workspaces/${ws}/members`).set('X-API-Key', key).send({ email: 'z@example.com', role: 'viewer' }), 403, 'FORBIDDEN');
    problem(await http().get(`/api/v1/workspaces/${other}`).set('X-API-Key', key), 404, 'NOT_FOUND');
    const used = await http().get(`/api/v1/workspaces/${ws}/api-keys`).set(owner.auth).expect(200);
    expect(used.body.items[0].lastUsedAt).not.toBeNull();
    // A key is not a person: the "me" routes are refused.
    await http().get('/api/v1/me').set('X-API-Key', key).expect(401);

    problem(await http().post(`/api/v1/workspaces/${ws}/api-keys`).set(owner.auth).send({ name: 'x', role: 'owner' }), 400, 'VALIDATION_FAILED');
    await http().delete(`/api/v1/workspaces/${ws}/api-keys/${created.body.id}`).set(owner.auth).expect(204);
    problem(await http().get(`/api/v1/workspaces/${ws}`).set('X-API-Key', key), 401, 'UNAUTHENTICATED');
    problem(await http().get(`/api/v1/workspaces/${ws}`).set('X-API-Key', `${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`), 401, 'UNAUTHENTICATED');
    problem(await http().delete(`/api/v1/workspaces/${other}/api-keys/${created.body.id}`).set(owner.auth), 404, 'IDENTITY.API_KEY_NOT_FOUND');
  });

  it('refuses impossible or unreadable expiry dates of API keys and OAuth accounts with 400, never 500', async () => {
    const owner = await signUp(app);
    const ws = await createWorkspace(app, owner);
    for (const expiresAt of ['20240230', '2024-02-30', '2999-13-01T00:00:00Z', 'tomorrow']) {
      problem(await http().post(`/api/v1/workspaces/${ws}/api-keys`).set(owner.auth).send({ name: 'ci', role: 'viewer', expiresAt }), 400, 'VALIDATION_FAILED');
      problem(
        await http().post('/api/v1/me/oauth-accounts').set(owner.auth).send({ provider: 'google', providerAccountId: 'g-1', accessToken: 'at', expiresAt }),
        400,
        'VALIDATION_FAILED',
      );
    }
    await http().post(`/api/v1/workspaces/${ws}/api-keys`).set(owner.auth).send({ name: 'ci', role: 'viewer', expiresAt: '2999-01-01T00:00:00+02:00' }).expect(201);
  });

  it('organizations: unique names, only members see one, only the creator changes it', async () => {
    const alice = await signUp(app);
    const name = `Acme ${uuidv7()}`;
    const org = await http().post('/api/v1/organizations').set(alice.auth).send({ name, size: 'small', domain: 'acme.test', website: 'https://acme.test' }).expect(201);
    expect(org.body).toEqual(expect.objectContaining({ id: expect.any(String), name, size: 'small', domain: 'acme.test', subscriptionPlan: 'free' }));
    problem(await http().post('/api/v1/organizations').set(alice.auth).send({ name: name.toUpperCase() }), 409, 'IDENTITY.ORGANIZATION_NAME_TAKEN');
    problem(await http().post('/api/v1/organizations').set(alice.auth).send({ name: 'Z', size: 'huge', website: 'not a url' }), 400, 'VALIDATION_FAILED');
    const bob = await signUpVerified(app);
    problem(await http().get(`/api/v1/organizations/${org.body.id}`).set(bob.auth), 404, 'IDENTITY.ORGANIZATION_NOT_FOUND');
    await http().patch(`/api/v1/organizations/${org.body.id}`).set(alice.auth).send({ industry: 'Robotics' }).expect(200);
    const ws = await http().post('/api/v1/workspaces').set(alice.auth).send({ name: 'Acme team', organizationId: org.body.id }).expect(201);
    await http().post(`/api/v1/workspaces/${ws.body.id}/members`).set(alice.auth).send({ email: bob.email, role: 'member' }).expect(201);
    const seen = await http().get(`/api/v1/organizations/${org.body.id}`).set(bob.auth).expect(200);
    expect(seen.body.industry).toBe('Robotics');
    problem(await http().patch(`/api/v1/organizations/${org.body.id}`).set(bob.auth).send({ industry: 'Mine' }), 403, 'IDENTITY.ROLE_NOT_ALLOWED');
  });
});
