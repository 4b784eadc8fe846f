import { contentStems } from '@libs/ai/text/normalize';
import { SearchHit } from '@modules/knowledge/contracts/knowledge-search';

/**
 * Hybrid search always returns its top hits, related or not: semantic neighbours exist for any
 * query, and its full-text leg matches ANY word of the query, so "How long does the Kraken
 * migration tool take?" finds "We migrated the billing database" through one word. An answer may
 * rest only on hits that are close in meaning, or that share a good part of the query's words.
 *
 * Measured with the offline embedder on the team-chat corpus of test/e2e/knowledge-ask.e2e.spec.ts
 * (8 messages; 14 questions, 6 of them about things the workspace never discussed): hits that
 * answer the question had a cosine similarity of 0.23-0.57, unrelated hits at most 0.17 (most
 * under 0.1). Full-text matches of unrelated hits covered at most 1 of 4 query words, related
 * ones at least 2 of 3. The price is recall on terse questions in other words than the message
 * ("Who needs a code review?" covers 1 of 3 words of "review my pull request"): Ask would rather
 * say it found nothing than cite a message that only shares a word.
 */
export const MIN_SIMILARITY = 0.2;
export const MIN_WORD_COVERAGE = 0.5;

/** Share of the query's meaningful words (stemmed) that the text contains. */
export function wordCoverage(query: string, text: string): number {
  const wanted = new Set(contentStems(query));
  if (wanted.size === 0) return 0;
  const present = new Set(contentStems(text));
  let found = 0;
  for (const s of wanted) if (present.has(s)) found++;
  return found / wanted.size;
}

export function isRelevant(hit: SearchHit, query: string): boolean {
  if ((hit.similarity ?? 0) >= MIN_SIMILARITY) return true;
  return hit.ranks.fulltext !== null && wordCoverage(query, hit.text) >= MIN_WORD_COVERAGE;
}

export function keepRelevant(hits: readonly SearchHit[], query: string): { relevant: SearchHit[]; discarded: number } {
  const relevant = hits.filter((h) => isRelevant(h, query));
  return { relevant, discarded: hits.length - relevant.length };
}
