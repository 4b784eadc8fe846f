import { TASK_PROPOSALS_ANSWER_SCHEMA } from '@modules/analysis/domain/task-proposal/task-proposals-answer.schema';
import { analysisClient, ChatLine } from '@test/support/analysis-runs-client';
import { eventually } from '@test/support/eventually';
import { FakeOpenAiServer } from '@test/support/fakes/fake-openai-server';
import { createWorkspace, signUp, SignedUp } from '@test/support/identity-client';
import { createTestApp, TestApp } from '@test/support/test-app';

const ANA = { name: 'Ana Souza', email: 'ana@acme.example', externalId: 'ana' };
const BOB = { name: 'Bob Mitchell', email: 'bob@acme.example', externalId: 'bob' };

/** A day of chat: two commitments, an assignment, and chatter, questions and opinions that are no tasks. */
const WORK_DAY: ChatLine[] = [
  { text: 'good morning everyone 👋', author: ANA },
  { text: "I'll fix the CSV export tomorrow, it crashes on big files.", author: BOB },
  { text: 'why does the sync job fail on Mondays?', author: ANA },
  { text: 'I think the new dashboard looks great', author: BOB },
  { text: '@ana can you deploy the billing service today?', author: BOB },
  { text: "Sure, I'll deploy it after lunch.", author: ANA },
  { text: "I'll write the release notes for 2.4 by Friday.", author: ANA },
];

/** The message ids of a prompt, in order (lines `[<id>] ...`). */
const idsIn = (body: any): string[] => [...String(body.messages.at(-1 - (body.messages.at(-1).content.startsWith('Your previous answer') ? 1 : 0)).content).matchAll(/^\[([0-9a-f-]{36})\]/gm)].map((m) => m[1]);

describe('analysis runs as a saga (e2e)', () => {
  let t: TestApp;
  let owner: SignedUp;
  let ws: string;
  let fake: FakeOpenAiServer;
  const c = () => analysisClient(t, () => ws, () => owner);

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start({ apiKey: 'sk-test-runs' });
    t = await createTestApp({ env: { CONNECTOR_ALLOWED_HOSTS: '127.0.0.1', LLM_TIMEOUT_MS: '1500', LLM_MAX_RETRIES: '0' } });
    owner = await signUp(t.app);
    ws = await createWorkspace(t.app, owner);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  describe('the built-in engine', () => {
    it('goes pending -> running -> completed -> reviewed -> closed, with counters, a config snapshot and included_in_runs', async () => {
      await c().importDay(2, WORK_DAY);
      await c().classified(2);
      const run = await c().start(c().window(2));
      expect(run).toEqual(expect.objectContaining({ status: 'pending', triggerType: 'manual', triggeredByUserId: owner.userId, proposalsTotal: 0 }));
      expect(run.configSnapshot).toEqual(expect.objectContaining({ engine: 'builtin', batching: { tokenBudget: 3000, maxMessagesPerBatch: 200 } }));
      expect(run.configSnapshot.assignment.provider.type).toBe('builtin');

      const done = await c().until(run.id, 'completed');
      expect(done).toEqual(expect.objectContaining({ totalMessagesInWindow: 7, messagesAfterPrefilter: 6, prefilteredOut: { noise: 1 }, batchesCreated: 1, batchesDone: 1, batchesFailed: 0, llmTokensUsed: 0, costEstimate: 0, errorLog: [] }));
      expect(done.progress).toEqual({ batchesDone: 1, batchesTotal: 1, percent: 100, etaSeconds: null });
      expect(done.proposalsTotal).toBeGreaterThanOrEqual(3);
      expect(done.proposalsPending).toBe(done.proposalsTotal);

      const proposals = await c().proposals({ runId: run.id });
      expect(proposals).toHaveLength(done.proposalsTotal);
      const titles = proposals.map((p: { proposedTitle: string }) => p.proposedTitle.toLowerCase());
      expect(titles.some((x: string) => x.includes('csv export'))).toBe(true);
      expect(titles.some((x: string) => x.includes('release notes'))).toBe(true);
      // No proposal rests on chatter, questions or opinions.
      const quotes = proposals.flatMap((p: { sourceMessages: { quote: string }[] }) => p.sourceMessages.map((s) => s.quote));
      expect(quotes.join(' ')).not.toMatch(/good morning|why does|looks great/);
      for (const p of proposals) {
        expect(p).toEqual(expect.objectContaining({ status: 'pending', analysisRunId: run.id, includedInRuns: [run.id], similarityType: 'none', llmRecommendation: 'new_task' }));
        expect(p.sourceMessages[0]).toEqual(expect.objectContaining({ messageId: expect.any(String), quote: expect.any(String), includedInRuns: [run.id] }));
        expect(p.messageCount).toBe(p.sourceMessageIds.length);
      }
      const csv = proposals.find((p: { proposedTitle: string }) => /csv export/i.test(p.proposedTitle));
      expect(csv).toEqual(expect.objectContaining({ proposedCategory: 'bug', dueDate: '2026-03-03' }));
      // The owner is the known author who committed (an author subject id), never invented.
      expect(csv.ownerId).toEqual(expect.any(String));

      await t.http().post(`${c().base()}/runs/${run.id}/close`).set(owner.auth).expect(422);
      const bulk = await t.http().post(`${c().base()}/proposals/bulk`).set(owner.auth).send({ action: 'approve', proposalIds: proposals.map((p: { id: string }) => p.id) }).expect(200);
      expect(bulk.body.succeeded).toBe(proposals.length);
      const reviewed = await c().get(run.id);
      expect(reviewed).toEqual(expect.objectContaining({ status: 'reviewed', proposalsPending: 0, proposalsApproved: proposals.length }));
      expect(reviewed.accuracyMetrics).toEqual(expect.objectContaining({ reviewed: proposals.length, approved: proposals.length, precision: 1 }));
      const closed = await t.http().post(`${c().base()}/runs/${run.id}/close`).set(owner.auth).expect(200);
      expect(closed.body.status).toBe('closed');
      expect(await c().runEventTypes(run.id)).toEqual([
        'analysis.run-requested', 'analysis.run-started', 'analysis.run-completed', 'analysis.run-reviewed', 'analysis.run-closed',
      ]);
      // Cancelling a closed run is refused.
      await t.http().post(`${c().base()}/runs/${run.id}/cancel`).set(owner.auth).expect(422);
    });
  });
});
