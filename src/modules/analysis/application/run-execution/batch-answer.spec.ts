import type { WindowMessage } from '@modules/ingestion/contracts';
import { batchPrompt, normalizeAnswer, resolveOwner } from './batch-agent';
import { knownPeople } from './known-people';

const msg = (id: string, content: string, author: Partial<WindowMessage['author']> = {}): WindowMessage => ({
  id, sourceId: 's', sourceKind: 'api', externalId: id, content, contentChars: content.length, title: null, sentAt: '2026-03-04T09:00:00.000Z', channelId: null, channelName: 'general',
  threadId: null, conversationId: null, isReply: false, author: { subjectId: `author:${id}`, name: null, email: null, externalId: null, ...author }, noiseClassification: 'signal', importanceScore: 0.5,
});

describe('the answer of a model as proposals', () => {
  const messages = [msg('m1', "I'll fix the export tomorrow", { subjectId: 'author:bob', name: 'Bob Mitchell', email: 'bob@acme.example', externalId: 'bob' }), msg('m2', '@ana can you deploy it?', { subjectId: 'author:ana', name: 'Ana Souza', email: 'ana@acme.example', externalId: 'ana' })];
  const members = knownPeople([{ id: 'user-ana', name: 'Ana Souza', email: 'ana@acme.example' }], messages);

  it('an author who is a member is that member; other authors are known by their author id', () => {
    expect(members).toEqual([
      { id: 'user-ana', name: 'Ana Souza', handles: ['ana'], emails: ['ana@acme.example'] },
      { id: 'author:bob', name: 'Bob Mitchell', handles: ['bob'], emails: ['bob@acme.example'] },
    ]);
  });

  it('keeps only sources of the batch, drops a task resting on none, never invents an owner or a date', () => {
    const { tasks, dropped } = normalizeAnswer(
      {
        tasks: [
          { title: 'Fix the export', sourceMessageIds: ['m1', 'elsewhere'], confidence: 0.9, priority: 'high', category: 'bug', owner: 'Bob Mitchell', dueDate: '2026-03-05' },
          { title: 'Deploy', sourceMessageIds: ['m2'], quotes: [{ messageId: 'm2', text: 'deploy it' }], confidence: 2, priority: 'urgent', category: 'nope', owner: 'Carol', dueDate: 'tomorrow' },
          { title: 'Invented', sourceMessageIds: ['nowhere'], confidence: 0.5, priority: 'low', category: 'chore' },
        ],
      },
      messages,
      members,
    );
    expect(dropped).toBe(1);
    expect(tasks).toEqual([
      expect.objectContaining({ title: 'Fix the export', sources: [{ messageId: 'm1', quote: "I'll fix the export tomorrow" }], ownerId: 'author:bob', dueDate: '2026-03-05', priority: 'high', category: 'bug', recommendation: 'new_task' }),
      expect.objectContaining({ title: 'Deploy', sources: [{ messageId: 'm2', quote: 'deploy it' }], ownerId: null, dueDate: null, confidence: 0.5, priority: 'critical', category: 'chore' }),
    ]);
    expect(normalizeAnswer({ tasks: [] }, messages, members)).toEqual({ tasks: [], dropped: 0 });
    expect(normalizeAnswer({ other: 1 }, messages, members)).toEqual({ tasks: [], dropped: 0 });
  });

  it('resolves owners by id, email, handle or unique name; ambiguous or unknown ones are nobody', () => {
    expect(resolveOwner('user-ana', members)).toBe('user-ana');
    expect(resolveOwner('ana@acme.example', members)).toBe('user-ana');
    expect(resolveOwner('@bob', members)).toBe('author:bob');
    expect(resolveOwner('Ana', members)).toBe('user-ana');
    expect(resolveOwner('Carol', members)).toBeNull();
    expect(resolveOwner('  ', members)).toBeNull();
  });

  it('the prompt lists the people and one line per message with its id', () => {
    const prompt = batchPrompt(messages, members);
    expect(prompt).toContain('- user-ana: Ana Souza <ana@acme.example> @ana');
    expect(prompt).toContain("[m1] 2026-03-04T09:00:00.000Z #general Bob Mitchell: I'll fix the export tomorrow");
  });
});
