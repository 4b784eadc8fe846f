import { groupTaskCandidates, TaskCandidate, titleSimilarity } from './task-grouping';

let order = 0;
function candidate(overrides: Partial<TaskCandidate>): TaskCandidate {
  order++;
  return {
    threadKey: 'thread-1', messageId: `msg-${order}`, order, quote: 'quote', title: 'Fix the CSV export', vague: false, description: 'description', kind: 'request', confidence: 0.6,
    reasoning: ['request: please + verb ("fix")'], priority: 'medium', category: 'bug', ownerId: null, dueDate: null, duePhrase: null, tags: ['request'],
    ...overrides,
  };
}

describe('grouping the candidates of a thread into proposals', () => {
  it('titles compare on their content words', () => {
    expect(titleSimilarity('Fix the CSV export', 'fix CSV exports')).toBe(1);
    expect(titleSimilarity('Deploy it', 'Deploy it to staging')).toBe(0.5);
    expect(titleSimilarity('Fix the CSV export', 'Send the contract')).toBe(0);
  });

  it('messages of one thread proposing the same task become one proposal with every source', () => {
    const [task] = groupTaskCandidates([
      candidate({ messageId: 'ask', kind: 'assignment', ownerId: 'm-ana', confidence: 0.75, quote: '@ana can you fix the CSV export?' }),
      candidate({ messageId: 'take', kind: 'commitment', ownerId: 'm-ana', confidence: 0.9, title: 'fix the csv export', dueDate: '2026-03-05', duePhrase: 'tomorrow', priority: 'high', quote: "sure, I'll fix the CSV export tomorrow" }),
    ]);
    expect(task.sources).toEqual([
      { messageId: 'ask', quote: '@ana can you fix the CSV export?' },
      { messageId: 'take', quote: "sure, I'll fix the CSV export tomorrow" },
    ]);
    expect(task).toEqual(expect.objectContaining({ title: 'Fix the CSV export', ownerId: 'm-ana', dueDate: '2026-03-05', duePhrase: 'tomorrow', priority: 'high', confidence: 0.95 }));
    expect(task.reasoning).toContain('2 messages of the thread propose it');
  });

  it('the same task in two threads is two proposals; two tasks in one thread stay apart', () => {
    expect(groupTaskCandidates([candidate({ threadKey: 'a' }), candidate({ threadKey: 'b' })])).toHaveLength(2);
    expect(groupTaskCandidates([candidate({}), candidate({ title: 'Send the signed contract', category: 'chore' })])).toHaveLength(2);
  });

  it('who took the task on owns it; a later message moves the deadline', () => {
    const [task] = groupTaskCandidates([
      candidate({ kind: 'assignment', ownerId: 'm-bob', dueDate: '2026-03-06', duePhrase: 'by Friday' }),
      candidate({ kind: 'commitment', ownerId: 'm-ana', dueDate: '2026-03-09', duePhrase: 'Monday' }),
    ]);
    expect(task.ownerId).toBe('m-ana');
    expect(task.dueDate).toBe('2026-03-09');
  });

  it('a vague confirmation ("sure, I\'ll do it", "on it") joins the latest task of its thread given to no one else', () => {
    const tasks = groupTaskCandidates([
      candidate({ messageId: 'ask', kind: 'request', ownerId: null }),
      candidate({ messageId: 'ok', kind: 'commitment', title: '', vague: true, acceptanceOnly: true, ownerId: 'm-chen' }),
    ]);
    expect(tasks).toHaveLength(1);
    expect(tasks[0].ownerId).toBe('m-chen');
    expect(tasks[0].title).toBe('Fix the CSV export');
  });

  it('an acceptance with nothing to accept, or of a task given to someone else, proposes nothing', () => {
    expect(groupTaskCandidates([candidate({ title: '', vague: true, acceptanceOnly: true, ownerId: 'm-chen' })])).toEqual([]);
    const tasks = groupTaskCandidates([
      candidate({ kind: 'assignment', ownerId: 'm-ana' }),
      candidate({ kind: 'commitment', title: '', vague: true, acceptanceOnly: true, ownerId: 'm-chen', threadKey: 'thread-1' }),
    ]);
    expect(tasks).toHaveLength(1);
    expect(tasks[0].ownerId).toBe('m-ana');
    expect(tasks[0].sources).toHaveLength(1);
  });
});
