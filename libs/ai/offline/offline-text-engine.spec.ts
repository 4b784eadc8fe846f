import { NOT_FOUND_ANSWER, OfflineTextEngine } from './offline-text-engine';

const engine = new OfflineTextEngine();

const incident = [
  'We moved the billing service to the new cluster last week.',
  'Since then, invoices fail to send for EU customers.',
  'Dr. Smith from finance reported it on Monday, e.g. for ACME.',
  'The root cause is a missing SMTP relay in the new cluster.',
  'We will add the relay and resend the failed invoices on Friday.',
].join(' ');

const documents = [
  { id: 'm1', text: 'Dashboard export to CSV is slow for large workspaces. It takes several minutes.' },
  { id: 'm2', text: incident },
  { id: 'm3', text: 'Sales call with Globex went well. They want SSO before signing.' },
];

describe('OfflineTextEngine.sentences', () => {
  it('splits after . ! ? and on line breaks, not after abbreviations or initials', () => {
    expect(engine.sentences('Hello there! Is the export ready? Mr. J. Smith said yes, e.g. for CSV. Done.\nnext line\n\n  ')).toEqual([
      'Hello there!',
      'Is the export ready?',
      'Mr. J. Smith said yes, e.g. for CSV.',
      'Done.',
      'next line',
    ]);
  });

  it('keeps decimals and closing quotes with their sentence', () => {
    expect(engine.sentences('Version 2.5 shipped. "It works." Then we left.')).toEqual(['Version 2.5 shipped.', '"It works."', 'Then we left.']);
  });
});

describe('OfflineTextEngine.keyphrases', () => {
  it('finds the repeated topics first, without stop words or redundant sub-phrases', () => {
    const phrases = engine.keyphrases(incident, 5);
    expect(phrases).toHaveLength(5);
    // "invoices fail" and "failed invoices" are one phrase, seen twice.
    expect(phrases[0]).toBe('invoices fail');
    expect(phrases).toEqual(expect.arrayContaining(['relay', 'missing smtp relay']));
    expect(phrases).not.toContain('smtp relay');
    expect(phrases).not.toContain('failed invoices');
    for (const p of phrases) expect(p).not.toMatch(/\b(the|to|for|on|a|we|new|last|week)\b/);
  });

  it('prefers a repeated phrase to a longer one seen once', () => {
    expect(engine.keyphrases('The Slack export is broken. Is the Slack export fixed?', 2)).toEqual(['slack export', 'broken']);
  });

  it('ranks across several texts by how many of them mention a phrase', () => {
    const texts = ['The CSV export is broken.', 'CSV export times out for big files.', 'Is CSV export fixed yet?', 'Dark mode would be nice.'];
    expect(engine.keyphrases(texts, 1)).toEqual(['csv export']);
    expect(engine.rankedKeyphrases(texts, 3).map((k) => k.score)).toEqual([...engine.rankedKeyphrases(texts, 3).map((k) => k.score)].sort((a, b) => b - a));
  });

  it('answers nothing for a text of stop words, and at most n phrases', () => {
    expect(engine.keyphrases('it is what it is', 5)).toEqual([]);
    expect(engine.keyphrases(incident, 0)).toEqual([]);
  });
});

describe('OfflineTextEngine.summarize', () => {
  it('keeps the most central sentences in their original order', () => {
    const summary = engine.summarize(incident, 2);
    const sentences = engine.sentences(summary);
    expect(sentences).toHaveLength(2);
    for (const s of sentences) expect(incident).toContain(s);
    expect(incident.indexOf(sentences[0])).toBeLessThan(incident.indexOf(sentences[1]));
    // The aside about who reported it is the least central sentence.
    expect(summary).not.toContain('Dr. Smith');
  });

  it('returns a short text whole', () => {
    expect(engine.summarize('One sentence. Two sentences.', 3)).toBe('One sentence. Two sentences.');
  });
});

describe('OfflineTextEngine.extractiveAnswer', () => {
  it('answers with the sentences that share the question terms, citing their documents', () => {
    const a = engine.extractiveAnswer('Why do the invoices fail to send?', documents);
    expect(a.grounded).toBe(true);
    expect(a.citations).toEqual([2]);
    expect(a.text).toMatch(/^Since then, invoices fail to send for EU customers\. \[2\]/);
    expect(a.text).not.toContain('Globex');
  });

  it('cites every document it took a sentence from, in order of first citation', () => {
    const a = engine.extractiveAnswer('What about the CSV export and the invoices?', documents);
    expect(a.grounded).toBe(true);
    expect(new Set(a.citations)).toEqual(new Set([1, 2]));
    for (const n of a.citations) expect(a.text).toContain(`[${n}]`);
    expect(a.text.match(/\[\d+\]/g)!.map((m) => Number(m.slice(1, -1))).filter((n, i, all) => all.indexOf(n) === i)).toEqual(a.citations);
  });

  it('matches inflections (stems): "exporting" finds "export"', () => {
    const a = engine.extractiveAnswer('Is exporting slow?', documents);
    expect(a.citations).toEqual([1]);
    expect(a.text).toContain('Dashboard export to CSV is slow');
  });

  it('is not grounded, says so, and cites nothing when no sentence shares a question term', () => {
    for (const q of ['What is the weather in Paris?', 'is it?', '']) {
      expect(engine.extractiveAnswer(q, documents)).toEqual({ text: NOT_FOUND_ANSWER, citations: [], grounded: false });
    }
    expect(engine.extractiveAnswer('Why do invoices fail?', [])).toEqual({ text: NOT_FOUND_ANSWER, citations: [], grounded: false });
  });

  it('lets earlier turns weigh in, and stand in for a question without content words', () => {
    // "and why is that?" alone has no content term; the earlier turn says what it is about.
    const followUp = engine.extractiveAnswer('and why is that?', documents, ['Tell me about Globex']);
    expect(followUp.grounded).toBe(true);
    expect(followUp.citations).toEqual([3]);
    // A question term is still required: history alone does not ground a question that has its own terms.
    expect(engine.extractiveAnswer('what about pricing?', documents, ['Tell me about Globex']).grounded).toBe(false);
    // Between two sentences matching the question equally, the history picks.
    const docs = [{ text: 'The export is slow for Globex.' }, { text: 'The export is slow for Initech.' }];
    expect(engine.extractiveAnswer('Which export is slow?', docs, ['Initech complained']).citations[0]).toBe(2);
  });

  it('never returns more than maxSentences sentences, all taken verbatim from the documents', () => {
    const a = engine.extractiveAnswer('invoices relay cluster billing', documents, [], { maxSentences: 2 });
    const parts = a.text.split(/ \[\d+\] ?/).filter(Boolean);
    expect(parts.length).toBeLessThanOrEqual(2);
    for (const p of parts) expect(documents.some((d) => d.text.includes(p))).toBe(true);
  });
});
