import { SearchHit } from '@modules/knowledge/contracts/knowledge-search';
import { keepRelevant, wordCoverage } from './relevance';

const hit = (text: string, fulltext: number | null, similarity: number | null): SearchHit => ({
  messageId: 'm',
  chunkId: text,
  chunkIndex: 0,
  text,
  snippet: text,
  score: 0.01,
  ranks: { fulltext, semantic: similarity === null ? null : 1 },
  similarity,
  message: {
    id: 'm',
    externalId: 'x',
    sourceId: 's',
    sourceKind: 'api',
    channelId: null,
    channelName: null,
    conversationId: null,
    author: { name: null, subjectId: null },
    sentAt: '2026-03-01T10:00:00.000Z',
    link: { api: '/m', external: null },
  },
});

describe('keepRelevant', () => {
  it('drops a full-text match on one word of a longer question (the any-word leg of hybrid search)', () => {
    const q = 'How long does the Kraken migration tool take to import Jira boards?';
    const { relevant, discarded } = keepRelevant([hit('We migrated the billing database to Postgres 16 last night without downtime.', 1, 0.094)], q);
    expect(relevant).toEqual([]);
    expect(discarded).toBe(1);
  });

  it('keeps a full-text match covering half the words or more, stems meeting ("asked" / "asking")', () => {
    const sso = hit('Customers keep asking about SAML single sign-on; Okta support is planned for Q3.', 1, 0.1);
    expect(keepRelevant([sso], 'Who asked about single sign-on?').relevant).toEqual([sso]);
  });

  it('keeps a hit close in meaning without shared words, and drops semantic neighbours far from it', () => {
    const near = hit('Team lunch moves to Thursday at noon this week.', null, 0.21);
    const far = hit('Exporting invoices to CSV times out.', null, 0.19);
    expect(keepRelevant([near, far], 'When do we eat together?')).toEqual({ relevant: [near], discarded: 1 });
  });

  it('keeps nothing for a question without meaningful words unless the meaning is close', () => {
    expect(keepRelevant([hit('Why not.', 1, 0.05)], 'Why?').relevant).toEqual([]);
  });
});

describe('wordCoverage', () => {
  it("is the share of the query's content words the text has", () => {
    expect(wordCoverage('What about its price? orbit sync ship', 'Orbit sync price: $12 per seat per month')).toBeCloseTo(3 / 4);
    expect(wordCoverage('the and of', 'anything')).toBe(0);
  });
});
