import { decideSimilarity, titleSimilarityScore } from './proposal-similarity';

describe('similarity to existing proposals and tasks (the no-duplicate rule)', () => {
  const tasks = [{ id: 't-export', title: 'Fix the CSV export' }, { id: 't-deploy', title: 'Deploy the billing service' }];

  it('mostly the same messages as a pending proposal: link to it', () => {
    expect(decideSimilarity({ title: 'x', messageIds: ['m1', 'm2'] }, [{ id: 'p', messageIds: ['m1', 'm2', 'm3'], status: 'pending', taskId: null }], tasks)).toEqual({ kind: 'link-proposal', proposalId: 'p', overlap: 1 });
  });

  it('messages of a proposal already turned into a task: a new proposal to update that task (exact_messages)', () => {
    expect(decideSimilarity({ title: 'x', messageIds: ['m1', 'm9'] }, [{ id: 'p', messageIds: ['m1'], status: 'approved', taskId: 't-export' }], tasks)).toEqual({
      kind: 'new', similarityType: 'exact_messages', similarTaskId: 't-export', score: 0.5,
    });
  });

  it('a near-identical open task: link the messages to it; a similar one: a new proposal pointing at it; else none', () => {
    expect(decideSimilarity({ title: 'fix csv export', messageIds: ['m5'] }, [], tasks)).toEqual({ kind: 'link-task', taskId: 't-export', score: 1 });
    expect(decideSimilarity({ title: 'Fix the PDF export', messageIds: ['m5'] }, [], tasks)).toEqual({ kind: 'new', similarityType: 'semantic', similarTaskId: 't-export', score: 0.67 });
    expect(decideSimilarity({ title: 'Call the customer', messageIds: ['m5'] }, [], tasks)).toEqual({ kind: 'new', similarityType: 'none', similarTaskId: null, score: null });
  });

  it('a rejected proposal sharing messages does not block a new one', () => {
    expect(decideSimilarity({ title: 'Call the customer', messageIds: ['m1'] }, [{ id: 'p', messageIds: ['m1'], status: 'rejected', taskId: null }], []).kind).toBe('new');
  });

  it('title similarity ignores case, stop words and simple endings', () => {
    expect(titleSimilarityScore('Fixing the exports', 'fix export')).toBe(1);
    expect(titleSimilarityScore('', 'fix')).toBe(0);
  });
});
