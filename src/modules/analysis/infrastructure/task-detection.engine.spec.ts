import { WorkspaceMember } from '@modules/analysis/domain/task-detection/owner-resolution';
import { ConversationMessage, TaskDetector } from '@modules/analysis/domain/task-detection/task-detector';
import { WinkSentenceTagger } from './wink-sentence-tagger';

/** The engine end to end with the real wink tagger: what a run over a conversation gets back. */
const members: WorkspaceMember[] = [
  { id: 'm-ana', name: 'Ana Souza', handles: ['ana'], emails: ['ana@acme.example'] },
  { id: 'm-bob', name: 'Bob Mitchell', handles: ['bob'], emails: ['bob@acme.example'] },
  { id: 'm-sam-k', name: 'Sam Kim', handles: ['samk'], emails: ['sam.kim@acme.example'] },
  { id: 'm-sam-o', name: 'Sam Okafor', handles: ['samo'], emails: ['sam.okafor@acme.example'] },
];
const WEDNESDAY = '2026-03-04T09:30:00+00:00';
const detector = new TaskDetector(new WinkSentenceTagger());

let counter = 0;
function message(text: string, author: ConversationMessage['author'] = { handle: 'bob' }, extra: Partial<ConversationMessage> = {}): ConversationMessage {
  counter++;
  return { id: `msg-${counter}`, threadId: null, author, sentAt: WEDNESDAY, text, ...extra };
}
const detect = (...messages: ConversationMessage[]) => detector.detect({ members, messages });

describe('the offline task detector', () => {
  it('most conversations hold no task: chatter, questions, ideas and reports give an empty answer', () => {
    expect(
      detect(
        message('good morning everyone 👋'),
        message('why does the sync job fail on Mondays?', { handle: 'ana' }),
        message('we could maybe add dark mode at some point'),
        message('I fixed the export yesterday', { handle: 'ana' }),
        message('I think the new dashboard looks great'),
        message('if we had more time we would rewrite billing'),
      ),
    ).toEqual([]);
  });

  it('a commitment: the proposal with title, source quote, confidence, reasoning, category, priority, owner and due date', () => {
    const msg = message("Morning! I'll fix the CSV export tomorrow, it crashes on big files.", { handle: 'bob' });
    const [task] = detect(msg);
    expect(task).toEqual(
      expect.objectContaining({
        title: 'Fix the CSV export',
        sources: [{ messageId: msg.id, quote: "I'll fix the CSV export tomorrow, it crashes on big files." }],
        category: 'bug',
        priority: 'medium',
        ownerId: 'm-bob',
        dueDate: '2026-03-05',
        duePhrase: 'tomorrow',
        tags: ['commitment'],
      }),
    );
    expect(task.description).toContain('crashes on big files');
    expect(task.reasoning).toEqual(expect.arrayContaining(['commitment: first person + will + verb ("fix")', 'deadline "tomorrow" -> 2026-03-05', 'owner: the writer']));
    expect(task.confidence).toBeGreaterThan(0.8);
  });

  it('confidence follows the strength of the cues: a deadline raises it, a hedge takes the task below the threshold', () => {
    const strong = detect(message("I'll fix the export tomorrow"))[0].confidence;
    const plain = detect(message("I'll fix the export"))[0].confidence;
    const vague = detect(message("I'll fix it"))[0].confidence;
    expect(strong).toBeGreaterThan(plain);
    expect(plain).toBeGreaterThan(vague);
    expect(detect(message("maybe I'll fix the export at some point"))).toEqual([]);
    expect(new TaskDetector(new WinkSentenceTagger(), { threshold: 0 }).detect({ members, messages: [message("maybe I'll fix the export at some point")] })[0].confidence).toBeLessThan(0.5);
  });

  describe('owners: resolved against members, never invented', () => {
    it('an @mention or a name that is a member', () => {
      expect(detect(message('@ana can you deploy it to staging?'))[0].ownerId).toBe('m-ana');
      expect(detect(message('Ana, please rotate the API keys before EOD'))[0].ownerId).toBe('m-ana');
    });

    it('an addressee who is not a member, a first name two members share, an unnamed request, an author who is not a member: no owner', () => {
      const unknown = detect(message('@kevin can you deploy it to staging?'))[0];
      expect(unknown.ownerId).toBeNull();
      expect(unknown.reasoning).toContain('owner: @kevin is not a known member');
      expect(detect(message('Sam, can you send the contract?'))[0].ownerId).toBeNull();
      expect(detect(message('please fix the broken link on the pricing page'))[0].ownerId).toBeNull();
      expect(detect(message("I'll send you the quote by Thursday.", { name: 'Customer', email: 'buyer@client.example' }))[0].ownerId).toBeNull();
    });
  });

  it('priority from urgency words, category from the action', () => {
    expect(detect(message('URGENT: need someone to fix checkout, customers cannot pay'))[0]).toEqual(expect.objectContaining({ priority: 'urgent', category: 'bug' }));
    expect(detect(message('please merge my PR today'))[0]).toEqual(expect.objectContaining({ priority: 'high', category: 'chore', dueDate: '2026-03-04' }));
    expect(detect(message("I'll look into why the sync job fails"))[0].category).toBe('question');
    expect(detect(message('@ana please add a dark mode toggle to settings'))[0].category).toBe('feature');
  });

  describe('grouping within a thread', () => {
    it('an assignment and its acceptance are one proposal owned by who took it', () => {
      const ask = message('@ana can you fix the CSV export?', { handle: 'bob' }, { threadId: 't-1' });
      const take = message("sure, I'll fix the csv export by Friday", { handle: 'ana' }, { sentAt: '2026-03-04T10:00:00+00:00', threadId: 't-1' });
      const tasks = detect(ask, take);
      expect(tasks).toHaveLength(1);
      expect(tasks[0].sources.map((s) => s.messageId)).toEqual([ask.id, take.id]);
      expect(tasks[0]).toEqual(expect.objectContaining({ ownerId: 'm-ana', dueDate: '2026-03-06' }));
    });

    it('"on it" confirms the request before it and gives it its writer', () => {
      const ask = message('the CSV export is broken, can someone fix it?', { handle: 'bob' }, { threadId: 't-2' });
      const onIt = message('on it 👍', { handle: 'ana' }, { threadId: 't-2' });
      const [task] = detect(ask, onIt);
      expect(task.sources).toHaveLength(2);
      expect(task.ownerId).toBe('m-ana');
    });

    it('the same words in two threads, or two different tasks in one thread, stay apart', () => {
      expect(detect(message("I'll fix the CSV export", { handle: 'bob' }, { threadId: 'a' }), message("I'll fix the CSV export", { handle: 'bob' }, { threadId: 'b' }))).toHaveLength(2);
      expect(detect(message("I'll fix the CSV export", { handle: 'bob' }, { threadId: 'a' }), message("I'll send the contract to legal", { handle: 'bob' }, { threadId: 'a' }))).toHaveLength(2);
    });
  });

  it('two tasks in one sentence are two proposals, each with its own clause\'s owner and deadline', () => {
    const tasks = detect(message("I'll fix the export and @ana can you deploy it tomorrow?", { handle: 'bob' }));
    expect(tasks.map((t) => [t.title, t.ownerId, t.dueDate])).toEqual([
      ['Fix the export', 'm-bob', null],
      ['Deploy it', 'm-ana', '2026-03-05'],
    ]);
  });

  it('an email that opens "Hi Bob," gives Bob what it asks "you", not what it asks "someone"', () => {
    const email = 'Hi Bob,\n\nThanks for the call. Could you please confirm the number of seats? Someone also needs to update the billing contact.\n\nBest,\nAna';
    const tasks = detect(message(email, { handle: 'ana' }));
    expect(tasks.map((t) => [t.title, t.ownerId])).toEqual([
      ['Confirm the number of seats', 'm-bob'],
      ['Update the billing contact', null],
    ]);
    expect(detect(message('Hi team,\nplease review the attached proposal.', { handle: 'ana' }))[0].ownerId).toBeNull();
  });

  it('a task quoted back in an email reply is not proposed again', () => {
    expect(detect(message("> I'll send you the quote by Thursday.\nGreat, thanks Bob.", { handle: 'ana' }))).toEqual([]);
  });

  describe('hostile input finishes fast and never throws', () => {
    const fast = (text: string) => {
      const started = performance.now();
      const tasks = detect(message(text));
      return { tasks, ms: performance.now() - started };
    };

    beforeAll(() => detect(message('warm up the model'))); // the model loads on first use

    it('a 1 MB line of words', () => {
      const { tasks, ms } = fast(`${"I'll fix the export tomorrow. "}${'lorem ipsum dolor sit amet '.repeat(40_000)}`);
      expect(ms).toBeLessThan(5_000);
      expect(tasks[0].title).toBe('Fix the export');
    });

    it('100k characters without a space, and 1 MB of them', () => {
      expect(fast('a'.repeat(100_000)).ms).toBeLessThan(2_000);
      expect(fast('a.'.repeat(500_000)).ms).toBeLessThan(2_000);
    });

    it('an unreadable sent time: the task stands, with no due date', () => {
      const [task] = detect(message("I'll fix the export tomorrow", { handle: 'bob' }, { sentAt: 'not a date' }));
      expect(task).toEqual(expect.objectContaining({ title: 'Fix the export', dueDate: null }));
    });

    it('NUL bytes and control characters', () => {
      const { tasks, ms } = fast("I'll\u0000fix\u0000the export\u0007 tomorrow\u0000");
      expect(ms).toBeLessThan(2_000);
      expect(tasks[0].title).toBe('Fix the export');
    });

    it('right-to-left and CJK text, with and without spaces', () => {
      for (const text of ['سأصلح التصدير غدا '.repeat(2_000), 'אני אתקן את הייצוא מחר '.repeat(2_000), '明日エクスポートを修正します。'.repeat(5_000), '我明天修复导出功能'.repeat(10_000)]) {
        const { tasks, ms } = fast(text);
        expect(ms).toBeLessThan(3_000);
        expect(tasks).toEqual([]);
      }
    });
  });
});
