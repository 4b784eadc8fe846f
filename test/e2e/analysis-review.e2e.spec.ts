import { analysisClient, ChatLine } from '@test/support/analysis-runs-client';
import { eventually } from '@test/support/eventually';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const ANA = { name: 'Ana Souza', email: 'ana@acme.example', externalId: 'ana' };
const BOB = { name: 'Bob Mitchell', email: 'bob@acme.example', externalId: 'bob' };

const DAY: ChatLine[] = [
  { text: "I'll fix the CSV export tomorrow, it crashes on big files.", author: BOB },
  { text: 'Someone needs to update the invoice template before Friday.', author: ANA },
  { text: "I'll book the team dinner for next Thursday.", author: ANA },
  { text: "I'll clean up the old staging servers this week.", author: BOB },
  { text: 'what a week, honestly', author: ANA },
];

describe('review of task proposals, tasks (e2e)', () => {
  let t: TestApp;
  let owner: SignedUp;
  let stranger: SignedUp;
  let ws: string;
  let otherWs: string;
  let viewer: Record<string, string>;
  let member: Record<string, string>;
  let runId: string;
  let proposals: any[];
  const c = () => analysisClient(t, () => ws, () => owner);
  const find = (re: RegExp) => proposals.find((p) => re.test(p.proposedTitle));

  beforeAll(async () => {
    t = await createTestApp();
    // The owner is also the chat's Ana: her messages and "@ana" resolve to her user id.
    owner = await signUp(t.app, { email: 'ana@acme.example', firstName: 'Ana', lastName: 'Souza' });
    stranger = await signUp(t.app);
    ws = await createWorkspace(t.app, owner);
    otherWs = await createWorkspace(t.app, stranger);
    viewer = { 'X-API-Key': (await t.http().post(`/api/v1/workspaces/${ws}/api-keys`).set(owner.auth).send({ name: 'dashboard', role: 'viewer' }).expect(201)).body.key };
    member = { 'X-API-Key': (await t.http().post(`/api/v1/workspaces/${ws}/api-keys`).set(owner.auth).send({ name: 'reviewer', role: 'member' }).expect(201)).body.key };
    await t.http().post(`${c().base()}/projects`).set(owner.auth).send({
      name: 'Billing', keywords: ['export', 'invoice', 'billing'], defaultAssigneeIds: [owner.userId], pmUserId: owner.userId, priorityRules: { critical: ['crashes'] },
    }).expect(201);
    await eventually(async () => {
      const r = await t.pool.query(`SELECT count(*)::int AS n FROM analysis_workspace_members_view m JOIN analysis_users_view u ON u.id = m.user_id WHERE m.workspace_id = $1`, [ws]);
      expect(r.rows[0].n).toBe(1);
    });
    await c().importDay(7, DAY);
    await c().classified(7);
    const run = await c().start(c().window(7));
    runId = run.id;
    const done = await c().until(runId, 'completed');
    expect(done.proposalsTotal).toBe(4);
    proposals = await c().proposals({ runId });
  });
  afterAll(() => t?.close());

  it('proposals are classified to the project, its priority rules applied, owners only where the text names them', () => {
    const csv = find(/csv export/i);
    expect(csv).toEqual(expect.objectContaining({ proposedProjectId: expect.any(String), proposedPriority: 'critical', projectKeywordsMatched: ['export'] }));
    expect(csv.projectClassificationConfidence).toBeGreaterThan(0);
    expect(csv.reasoning).toMatch(/priority rule critical: "crashes"/);
    // Bob is a known author, not a member: his author id. Ana is a member: her user id, not her author id.
    expect(csv.ownerId).toMatch(/^author:/);
    const invoice = find(/invoice template/i);
    expect(invoice).toEqual(expect.objectContaining({ proposedProjectId: csv.proposedProjectId, ownerId: null }));
    const dinner = find(/dinner/i);
    expect(dinner).toEqual(expect.objectContaining({ proposedProjectId: null, projectClassificationConfidence: 0, projectKeywordsMatched: [], ownerId: owner.userId }));
  });

  it('a viewer reads but cannot review; another workspace sees nothing (404)', async () => {
    const p = proposals[0];
    await t.http().get(`${c().base()}/proposals/${p.id}`).set(viewer).expect(200);
    await t.http().get(`${c().base()}/runs/${runId}`).set(viewer).expect(200);
    await t.http().get(`${c().base()}/tasks`).set(viewer).expect(200);
    for (const [path, body] of [
      [`proposals/${p.id}/approve`, {}],
      [`proposals/${p.id}/reject`, { reason: 'no' }],
      [`proposals/${p.id}/merge`, { taskId: p.id }],
      ['proposals/bulk', { action: 'approve', proposalIds: [p.id] }],
      ['runs', c().window(7)],
      [`runs/${runId}/cancel`, {}],
      [`runs/${runId}/close`, {}],
    ] as const) {
      const res = await t.http().post(`${c().base()}/${path}`).set(viewer).send(body).expect(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    await t.http().patch(`${c().base()}/proposals/${p.id}`).set(viewer).send({ title: 'x' }).expect(403);
    // A stranger: our workspace is not theirs, and our ids are unknown in theirs.
    await t.http().get(`${c().base()}/proposals/${p.id}`).set(stranger.auth).expect(404);
    await t.http().post(`${c().base()}/proposals/${p.id}/approve`).set(stranger.auth).send({}).expect(404);
    const theirs = `/api/v1/workspaces/${otherWs}/analysis`;
    expect((await t.http().get(`${theirs}/proposals/${p.id}`).set(stranger.auth).expect(404)).body.code).toBe('ANALYSIS.PROPOSAL_NOT_FOUND');
    expect((await t.http().post(`${theirs}/proposals/${p.id}/approve`).set(stranger.auth).send({}).expect(404)).body.code).toBe('ANALYSIS.PROPOSAL_NOT_FOUND');
    expect((await t.http().get(`${theirs}/runs/${runId}`).set(stranger.auth).expect(404)).body.code).toBe('ANALYSIS.RUN_NOT_FOUND');
    await t.http().post(`${theirs}/runs/${runId}/cancel`).set(stranger.auth).expect(404);
    expect((await t.http().get(`${theirs}/proposals?runId=${runId}`).set(stranger.auth).expect(200)).body.items).toEqual([]);
    // Nothing changed.
    expect((await c().get(runId)).proposalsPending).toBe(4);
  });

  it('approve creates the task with the extracted owner; counters move; a reviewed proposal cannot be reviewed again', async () => {
    const csv = find(/csv export/i);
    const approved = await t.http().post(`${c().base()}/proposals/${csv.id}/approve`).set(member).set('Idempotency-Key', 'approve-csv').send({}).expect(200);
    expect(approved.body.proposal).toEqual(expect.objectContaining({ status: 'approved', taskId: approved.body.taskId, reviewedByUserId: expect.any(String), reviewedAt: expect.any(String) }));
    // The same request again answers the same, and adds nothing.
    const again = await t.http().post(`${c().base()}/proposals/${csv.id}/approve`).set(member).set('Idempotency-Key', 'approve-csv').send({}).expect(200);
    expect(again.body.taskId).toBe(approved.body.taskId);
    const task = (await t.http().get(`${c().base()}/tasks/${approved.body.taskId}`).set(viewer).expect(200)).body;
    expect(task).toEqual(expect.objectContaining({
      title: csv.proposedTitle, status: 'open', priority: 'critical', category: 'bug', aiGenerated: true, assignedTo: csv.ownerId, assigneeSource: 'extracted',
      dueDate: csv.dueDate, proposalId: csv.id, projectId: csv.proposedProjectId, sourceMessageId: csv.sourceMessageIds[0], confidenceScore: csv.confidence,
    }));
    expect(task.messages).toEqual([expect.objectContaining({ messageId: csv.sourceMessageIds[0], quote: csv.sourceMessages[0].quote })]);
    const run = await c().get(runId);
    expect(run).toEqual(expect.objectContaining({ status: 'completed', proposalsTotal: 4, proposalsApproved: 1, proposalsPending: 3, proposalsRejected: 0 }));
    const twice = await t.http().post(`${c().base()}/proposals/${csv.id}/reject`).set(member).send({ reason: 'changed my mind' }).expect(409);
    expect(twice.body.code).toBe('ANALYSIS.PROPOSAL_ALREADY_REVIEWED');
  });

  it('edit then approve: the edits are kept; with no owner named the task takes the project default, marked as such (the proposal still shows none)', async () => {
    const invoice = find(/invoice template/i);
    const res = await t.http().post(`${c().base()}/proposals/${invoice.id}/approve`).set(member).send({ edits: { title: 'Update the invoice PDF template', priority: 'high' } }).expect(200);
    expect(res.body.proposal).toEqual(expect.objectContaining({ status: 'approved', edited: true, proposedTitle: 'Update the invoice PDF template', proposedPriority: 'high', ownerId: null }));
    const task = (await t.http().get(`${c().base()}/tasks/${res.body.taskId}`).set(member).expect(200)).body;
    expect(task).toEqual(expect.objectContaining({ title: 'Update the invoice PDF template', priority: 'high', assignedTo: owner.userId, assigneeSource: 'project_default' }));
  });

  it('reject keeps the reason; merge links the messages to an existing task and counts as approved; the run is reviewed once none is pending', async () => {
    const dinner = find(/dinner/i);
    const rejected = await t.http().post(`${c().base()}/proposals/${dinner.id}/reject`).set(member).send({ reason: 'Not work' }).expect(200);
    expect(rejected.body.proposal).toEqual(expect.objectContaining({ status: 'rejected', rejectReason: 'Not work' }));
    await t.http().post(`${c().base()}/proposals/${dinner.id}/reject`).set(member).send({}).expect(400);

    const csvTask = (await c().proposals({ runId, status: 'approved' })).find((p: { proposedTitle: string }) => /csv export/i.test(p.proposedTitle)).taskId;
    const staging = find(/staging/i);
    await t.http().post(`${c().base()}/proposals/${staging.id}/merge`).set(member).send({ taskId: '01a23bd6-0000-7000-8000-000000000000' }).expect(404);
    const merged = await t.http().post(`${c().base()}/proposals/${staging.id}/merge`).set(member).send({ taskId: csvTask }).expect(200);
    expect(merged.body.proposal).toEqual(expect.objectContaining({ status: 'merged', taskId: csvTask }));
    const task = (await t.http().get(`${c().base()}/tasks/${csvTask}`).set(member).expect(200)).body;
    expect(task.messages.map((m: { messageId: string }) => m.messageId)).toEqual([...find(/csv export/i).sourceMessageIds, ...staging.sourceMessageIds]);

    const run = await c().get(runId);
    expect(run).toEqual(expect.objectContaining({ status: 'reviewed', proposalsPending: 0, proposalsApproved: 3, proposalsMerged: 1, proposalsRejected: 1, proposalsTotal: 4 }));
    expect(run.accuracyMetrics).toEqual({ reviewed: 4, approved: 2, merged: 1, rejected: 1, edited: 1, precision: 0.75, avgConfidenceKept: expect.any(Number), avgConfidenceRejected: dinner.confidence });
    expect((await t.http().post(`${c().base()}/runs/${runId}/close`).set(member).expect(200)).body.status).toBe('closed');
  });

  it('bulk review answers each proposal on its own; a rejection needs a reason', async () => {
    await c().importDay(8, [{ text: "I'll rotate the API keys tomorrow.", author: BOB }, { text: "I'll update the onboarding guide by Friday.", author: ANA }]);
    const run = await c().start(c().window(8));
    await c().until(run.id, 'completed');
    const ids = (await c().proposals({ runId: run.id })).map((p: { id: string }) => p.id);
    expect(ids).toHaveLength(2);
    await t.http().post(`${c().base()}/proposals/bulk`).set(member).send({ action: 'reject', proposalIds: ids }).expect(400);
    await t.http().post(`${c().base()}/proposals/bulk`).set(member).send({ action: 'reject', proposalIds: ['nope'] }).expect(400);
    const first = await t.http().post(`${c().base()}/proposals/${ids[0]}/approve`).set(member).send({}).expect(200);
    const bulk = await t.http().post(`${c().base()}/proposals/bulk`).set(member).send({ action: 'reject', proposalIds: ids, reason: 'duplicates' }).expect(200);
    expect(bulk.body).toEqual({
      results: [
        { proposalId: ids[0], status: 'refused', error: { code: 'ANALYSIS.PROPOSAL_ALREADY_REVIEWED', message: expect.any(String) } },
        { proposalId: ids[1], status: 'rejected' },
      ],
      succeeded: 1,
      refused: 1,
    });
    expect(await c().get(run.id)).toEqual(expect.objectContaining({ status: 'reviewed', proposalsApproved: 1, proposalsRejected: 1, proposalsPending: 0 }));
    expect(first.body.taskId).toEqual(expect.any(String));
  });

  it('tasks: list with filters and pages, read with an ETag, update with If-Match (a stale version is a 409), assignee set by hand', async () => {
    const list = (await t.http().get(`${c().base()}/tasks?status=open&limit=2`).set(viewer).expect(200)).body;
    expect(list.items).toHaveLength(2);
    expect(list.nextCursor).toEqual(expect.any(String));
    const id = list.items[0].id;
    const got = await t.http().get(`${c().base()}/tasks/${id}`).set(member).expect(200);
    expect(got.headers.etag).toBe(`"${got.body.version}"`);
    const stale = await t.http().patch(`${c().base()}/tasks/${id}`).set(member).set('If-Match', '"99"').send({ status: 'in_progress' }).expect(412);
    expect(stale.body.code).toBe('ANALYSIS.STALE_VERSION');
    const updated = await t.http().patch(`${c().base()}/tasks/${id}`).set(member).set('If-Match', got.headers.etag).send({ status: 'in_progress', assigneeId: null, dueDate: '2026-03-20' }).expect(200);
    expect(updated.body).toEqual(expect.objectContaining({ status: 'in_progress', assignedTo: null, assigneeSource: null, dueDate: '2026-03-20', version: got.body.version + 1 }));
    expect(updated.headers.etag).toBe(`"${got.body.version + 1}"`);
    const assigned = await t.http().patch(`${c().base()}/tasks/${id}`).set(member).set('If-Match', updated.headers.etag).send({ assigneeId: owner.userId }).expect(200);
    expect(assigned.body).toEqual(expect.objectContaining({ assignedTo: owner.userId, assigneeSource: 'manual', version: got.body.version + 2 }));
    await t.http().patch(`${c().base()}/tasks/${id}`).set(member).send({ status: 'done' }).expect(400);
    await t.http().patch(`${c().base()}/tasks/${id}`).set(viewer).send({ status: 'closed' }).expect(403);
    const inProgress = (await t.http().get(`${c().base()}/tasks?status=in_progress`).set(viewer).expect(200)).body.items;
    expect(inProgress.map((x: { id: string }) => x.id)).toEqual([id]);
    await t.http().get(`/api/v1/workspaces/${otherWs}/analysis/tasks/${id}`).set(stranger.auth).expect(404);
  });
});
