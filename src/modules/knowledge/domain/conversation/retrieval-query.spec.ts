import { anyWordQuery, contentWords, isFollowUp, retrievalQuery } from './retrieval-query';

describe('retrievalQuery', () => {
  it('searches a first question as asked', () => {
    expect(retrievalQuery('What about its price?', [])).toBe('What about its price?');
  });

  it('searches a standalone question as asked, even later in a conversation', () => {
    expect(retrievalQuery('Which customers asked for a CSV export of invoices?', ['When does the Orbit sync feature ship?'])).toBe(
      'Which customers asked for a CSV export of invoices?',
    );
  });

  it("adds the topic's words to a question that refers back or is too short to stand alone", () => {
    expect(retrievalQuery('What about its price?', ['When does the Orbit sync feature ship?'])).toBe('What about its price? orbit sync feature ship');
    expect(retrievalQuery('and pricing?', ['When does the Orbit sync feature ship?'])).toBe('and pricing? orbit sync feature ship');
  });

  it('takes the topic from the last standalone question, not from a chain of follow-ups', () => {
    expect(retrievalQuery('Who asked for them?', ['How do refunds work for annual plans?', 'When does the Orbit sync feature ship?', 'What about its price?'])).toBe(
      'Who asked for them? orbit sync feature ship',
    );
  });

  it('does not repeat words the question has', () => {
    expect(retrievalQuery('Does Orbit sync support it?', ['When does the Orbit sync feature ship?'])).toBe('Does Orbit sync support it? feature ship');
  });
});

describe('isFollowUp', () => {
  it('reads relative "that" and existential "there" as standalone', () => {
    expect(isFollowUp('Is there a way to export all invoices to CSV?')).toBe(false);
    expect(isFollowUp('Which customer reported the crash that blocks exports?')).toBe(false);
  });

  it('reads pronouns pointing back, and very short questions, as follow-ups', () => {
    expect(isFollowUp('How much does it cost?')).toBe(true);
    expect(isFollowUp('Why?')).toBe(true);
    expect(isFollowUp('And pricing?')).toBe(true);
  });

  it('reads a short question with two content words as standalone', () => {
    expect(isFollowUp('Who owns billing?')).toBe(false);
  });
});

describe('contentWords', () => {
  it('keeps the words that carry meaning, once, lower-cased', () => {
    expect(contentWords("What's the Orbit sync's price, and the Orbit sync's ETA?")).toEqual(['orbit', 'sync', 'price', 'eta']);
  });
});

describe('anyWordQuery', () => {
  it('asks full-text search for any of the meaningful words', () => {
    expect(anyWordQuery('When does Orbit sync ship?')).toBe('orbit or sync or ship');
    expect(anyWordQuery('Why?')).toBe('Why?');
  });
});
