import { categorizeTask } from './task-category';

const words = (text: string) => text.toLowerCase().split(/\W+/).filter(Boolean);

describe('task category', () => {
  it('the verb decides: fix is a bug, add a feature, improve an improvement, deploy a chore', () => {
    expect(categorizeTask({ verb: 'fix', words: words('fix the export') })).toBe('bug');
    expect(categorizeTask({ verb: 'add', words: words('add dark mode') })).toBe('feature');
    expect(categorizeTask({ verb: 'implement', words: words('implement SSO') })).toBe('feature');
    expect(categorizeTask({ verb: 'refactor', words: words('refactor the auth middleware') })).toBe('improvement');
    expect(categorizeTask({ verb: 'deploy', words: words('deploy the hotfix') })).toBe('chore');
    expect(categorizeTask({ verb: 'send', words: words('send the broken invoice') })).toBe('chore');
  });

  it('question: a commitment to investigate or answer ("look into", "find out", "check why")', () => {
    expect(categorizeTask({ verb: 'look', next: 'into', words: words('look into why it fails') })).toBe('question');
    expect(categorizeTask({ verb: 'investigate', words: words('investigate the spike') })).toBe('question');
    expect(categorizeTask({ verb: 'find', next: 'out', words: words('find out who owns it') })).toBe('question');
    expect(categorizeTask({ verb: 'check', next: 'why', words: words('check why totals are off') })).toBe('question');
  });

  it('a verb that says nothing of the kind leaves it to the words around it', () => {
    expect(categorizeTask({ verb: 'look', next: 'at', words: words('look at the broken date picker') })).toBe('bug');
    expect(categorizeTask({ verb: 'handle', words: words('handle the vendor invoices') })).toBe('chore');
    expect(categorizeTask({ verb: 'take', words: words('take care of the slow dashboard') })).toBe('improvement');
  });

  it('"make" is an improvement only when it makes something better, not when it makes a thing', () => {
    const after = (...pairs: [string, string][]) => pairs.map(([lemma, pos]) => ({ lemma, pos }));
    expect(categorizeTask({ verb: 'make', words: [], after: after(['the', 'DET'], ['sidebar', 'NOUN'], ['collapsible', 'ADJ']) })).toBe('improvement');
    expect(categorizeTask({ verb: 'make', words: [], after: after(['the', 'DET'], ['export', 'NOUN'], ['run', 'VERB'], ['in', 'ADP']) })).toBe('improvement');
    expect(categorizeTask({ verb: 'make', words: [], after: after(['the', 'DET'], ['new', 'ADJ'], ['slides', 'NOUN']) })).toBe('chore');
  });
});
