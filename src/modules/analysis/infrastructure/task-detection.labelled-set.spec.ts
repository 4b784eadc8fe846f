import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveHandle, WorkspaceMember } from '@modules/analysis/domain/task-detection/owner-resolution';
import { DEFAULT_TASK_THRESHOLD, TaskDetector } from '@modules/analysis/domain/task-detection/task-detector';
import { WinkSentenceTagger } from './wink-sentence-tagger';

/**
 * The engine, with the real wink tagger, over the hand-labelled set of
 * test/fixtures/task-sentences (labelled before the engine was written; its README has the
 * rules). Each sentence is one message; the engine "finds a task" when it proposes one at the
 * default threshold. Set TASK_SET_VERBOSE=1 to print every disagreement.
 */
const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'task-sentences');
/** A Wednesday morning in Lisbon's winter time. */
const SENT_AT = '2026-03-04T09:30:00+00:00';
/** Urgency words in the due column are priorities, not dates (README). */
const URGENCY = /^(asap|urgent|p0)$/i;

interface Labelled {
  id: string;
  channel: string;
  author: string;
  label: 'task' | 'none';
  kind: string;
  category: string | null;
  owner: string | null;
  due: string | null;
  text: string;
}

const field = (value: string) => (value === '-' ? null : value);

function labelledSet(file = 'sentences.tsv'): Labelled[] {
  return readFileSync(join(FIXTURES, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => {
      const [id, channel, author, label, kind, category, owner, due, text] = line.split('\t');
      return { id, channel, author, label: label as Labelled['label'], kind, category: field(category), owner: field(owner), due: field(due), text: text.replace(/\\n/g, '\n') };
    });
}

describe('task detection on the labelled sentence set', () => {
  const members = JSON.parse(readFileSync(join(FIXTURES, 'members.json'), 'utf8')) as WorkspaceMember[];
  const set = labelledSet();
  const detector = new TaskDetector(new WinkSentenceTagger());
  const results = set.map((s) => ({
    sentence: s,
    tasks: detector.detect({ members, messages: [{ id: s.id, threadId: null, author: { handle: s.author }, sentAt: SENT_AT, text: s.text }] }),
  }));
  const verbose = process.env.TASK_SET_VERBOSE === '1';
  const show = (what: string, lines: string[]) => {
    if (verbose && lines.length > 0) console.log(`${what}:\n${lines.join('\n')}`);
  };

  it('has at least 300 sentences, half of them with a task', () => {
    expect(set.length).toBeGreaterThanOrEqual(300);
    const tasks = set.filter((s) => s.label === 'task').length;
    expect(Math.abs(tasks - set.length / 2)).toBeLessThanOrEqual(set.length * 0.05);
    expect(new Set(set.map((s) => s.id)).size).toBe(set.length);
  });

  it(`finds tasks at the default threshold (${DEFAULT_TASK_THRESHOLD}) with precision >= 0.85 and recall >= 0.6`, () => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const misses: string[] = [];
    for (const { sentence, tasks } of results) {
      const found = tasks.length > 0;
      if (found && sentence.label === 'task') tp++;
      else if (found) {
        fp++;
        misses.push(`FP ${sentence.id} [${sentence.kind}] ${sentence.text} -> ${tasks.map((t) => `${t.title} (${t.confidence}: ${t.reasoning.join('; ')})`).join(' | ')}`);
      } else if (sentence.label === 'task') {
        fn++;
        misses.push(`FN ${sentence.id} [${sentence.kind}] ${sentence.text}`);
      }
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    console.log(`task-sentences: ${set.length} sentences, tp ${tp} fp ${fp} fn ${fn}, precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`);
    show('disagreements', misses);
    expect(precision).toBeGreaterThanOrEqual(0.85);
    expect(recall).toBeGreaterThanOrEqual(0.6);
  });

  const found = () => results.filter((r) => r.sentence.label === 'task' && r.tasks.length > 0);

  it('never gives a task to someone the text does not name (owners of found tasks)', () => {
    let right = 0;
    const invented: string[] = [];
    const wrong: string[] = [];
    for (const { sentence, tasks } of found()) {
      const expected = sentence.owner ? resolveHandle(sentence.owner, members) : null;
      const owner = tasks[0].ownerId;
      if (owner === expected) right++;
      else if (expected === null) invented.push(`${sentence.id} ${sentence.text} -> ${owner}`);
      else wrong.push(`${sentence.id} ${sentence.text} -> ${owner ?? 'nobody'} (expected ${expected})`);
    }
    const accuracy = right / found().length;
    console.log(`task-sentences owners: ${right}/${found().length} right (${accuracy.toFixed(3)}), ${invented.length} given where the text names no one, ${wrong.length} other`);
    show('owners', [...invented, ...wrong]);
    expect(invented).toEqual([]);
    expect(accuracy).toBeGreaterThanOrEqual(0.8);
  });

  it('states a due date exactly when the sentence does', () => {
    let right = 0;
    const off: string[] = [];
    for (const { sentence, tasks } of found()) {
      const expected = sentence.due && !URGENCY.test(sentence.due) ? sentence.due.toLowerCase() : null;
      const phrase = tasks[0].duePhrase?.toLowerCase() ?? null;
      const agrees = expected === null ? phrase === null : phrase !== null && (phrase.includes(expected) || expected.includes(phrase));
      if (agrees) right++;
      else off.push(`${sentence.id} ${sentence.text} -> ${phrase ?? 'none'} (expected ${expected ?? 'none'})`);
    }
    const accuracy = right / found().length;
    console.log(`task-sentences due dates: ${right}/${found().length} right (${accuracy.toFixed(3)})`);
    show('due dates', off);
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('names the category of most found tasks as labelled', () => {
    const off: string[] = [];
    let right = 0;
    for (const { sentence, tasks } of found()) {
      if (tasks[0].category === sentence.category) right++;
      else off.push(`${sentence.id} ${sentence.text} -> ${tasks[0].category} (expected ${sentence.category})`);
    }
    const accuracy = right / found().length;
    console.log(`task-sentences categories: ${right}/${found().length} right (${accuracy.toFixed(3)})`);
    show('categories', off);
    expect(accuracy).toBeGreaterThanOrEqual(0.7);
  });

  // Written after the engine (README): held-out.tsv was read once and then used to correct it;
  // held-out-2.tsv never was, and gives the figure least fitted to the engine. Floors set before
  // the engine first read each.
  it.each(['held-out.tsv', 'held-out-2.tsv'])('finds tasks on %s with precision >= 0.75 and recall >= 0.5', (file) => {
    const heldOut = labelledSet(file);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const misses: string[] = [];
    for (const sentence of heldOut) {
      const tasks = detector.detect({ members, messages: [{ id: sentence.id, threadId: null, author: { handle: sentence.author }, sentAt: SENT_AT, text: sentence.text }] });
      if (tasks.length > 0 && sentence.label === 'task') tp++;
      else if (tasks.length > 0) {
        fp++;
        misses.push(`FP ${sentence.id} ${sentence.text} -> ${tasks.map((t) => `${t.title} (${t.confidence}: ${t.reasoning.join('; ')})`).join(' | ')}`);
      } else if (sentence.label === 'task') {
        fn++;
        misses.push(`FN ${sentence.id} ${sentence.text}`);
      }
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    console.log(`task-sentences ${file}: ${heldOut.length} sentences, tp ${tp} fp ${fp} fn ${fn}, precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`);
    show(`${file} disagreements`, misses);
    expect(precision).toBeGreaterThanOrEqual(0.75);
    expect(recall).toBeGreaterThanOrEqual(0.5);
  });
});
