import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cosineSimilarity } from '@libs/ai/embedder';
import { stem } from '@libs/ai/text/stemmer';
import { OFFLINE_EMBEDDING_MODEL, OfflineHashingEmbedder } from './offline-hashing.embedder';

const ctx = { workspaceId: null, workflow: 'test', node: 'embed' };

describe('OfflineHashingEmbedder', () => {
  const embedder = new OfflineHashingEmbedder();
  const cos = (a: string, b: string) => cosineSimilarity(embedder.vector(a), embedder.vector(b));

  it('answers unit vectors of the configured dimension, one per text, in order', async () => {
    const e = new OfflineHashingEmbedder(64);
    const texts = ['Export the report as CSV', 'billing failed', ''];
    const vectors = await e.embed(texts, ctx);
    expect(e.model).toBe(OFFLINE_EMBEDDING_MODEL);
    expect(e.provider).toBe('offline');
    expect(vectors).toHaveLength(3);
    for (const v of vectors) {
      expect(v).toHaveLength(64);
      expect(Math.hypot(...v)).toBeCloseTo(1, 10);
    }
    expect(vectors[0]).toEqual(Array.from(e.vector(texts[0])));
    expect(vectors[0]).not.toEqual(vectors[1]);
  });

  it('defaults to 384 dimensions and refuses a useless one', () => {
    expect(new OfflineHashingEmbedder().dimension).toBe(384);
    expect(() => new OfflineHashingEmbedder(4)).toThrow(/dimension/);
    expect(() => new OfflineHashingEmbedder(10.5)).toThrow(/dimension/);
  });

  it('reports the tokens it embedded as usage', async () => {
    const r = await embedder.embedWithUsage(['one two three', 'four, five'], ctx);
    expect(r.usage).toEqual({ promptTokens: 6, completionTokens: 0, totalTokens: 6 });
  });

  it('gives the same vector in another process (no runtime seed)', () => {
    const text = 'Customers asked whether the Slack export keeps thread replies — naïve café résumé';
    const here = Array.from(new OfflineHashingEmbedder(32).vector(text));
    // tsx (a dev dependency) runs the TypeScript source in a fresh Node process.
    const script = `const { OfflineHashingEmbedder } = require(${JSON.stringify(require.resolve('./offline-hashing.embedder'))}); process.stdout.write(JSON.stringify(Array.from(new OfflineHashingEmbedder(32).vector(${JSON.stringify(text)}))));`;
    const child = spawnSync(join(process.cwd(), 'node_modules/.bin/tsx'), ['-e', script], { cwd: process.cwd(), encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual(here);
  });

  it('ranks paraphrases, plurals and inflections clearly above unrelated texts', () => {
    const unrelated = [
      cos('How do I export my data to CSV?', 'The meeting with the sales team moved to Friday afternoon'),
      cos('The invoices failed to send', 'Please add dark mode to the mobile app'),
      cos('Exporting data as a CSV file', 'Our onboarding call went well yesterday'),
    ];
    const related = [
      cos('How do I export my data to CSV?', 'Exporting data as a CSV file'),
      cos('The invoices failed to send', 'invoice sending failing'),
      cos('export', 'exporting'),
      cos('customer replies', 'a customer reply'),
      cos('Slack integration broken after the update', 'the slack integrations are broken since updating'),
    ];
    for (const r of related) expect(r).toBeGreaterThan(0.45);
    for (const u of unrelated) expect(Math.abs(u)).toBeLessThan(0.15);
    expect(Math.min(...related)).toBeGreaterThan(Math.max(...unrelated) + 0.3);
  });

  it('ignores case and diacritics, and barely counts stop words', () => {
    expect(cos('Café Résumé', 'cafe resume')).toBeCloseTo(1, 10);
    expect(cos('the report of the customer', 'report customer')).toBeGreaterThan(0.95);
    expect(Math.abs(cos('it is what it is and that is that', 'we were there with them for it'))).toBeLessThan(0.5);
  });

  it('ranks a near-duplicate above a text that only shares words in another order', () => {
    const query = 'refund the annual plan';
    expect(cos(query, 'refund for the annual plan')).toBeGreaterThan(cos(query, 'plan a refund strategy for annual reviews'));
  });

  it('gives empty and word-less texts one fixed unit vector, never a zero vector', () => {
    const a = embedder.vector('');
    const b = embedder.vector(' ...!? ');
    expect(Math.hypot(...a)).toBeCloseTo(1, 10);
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

describe('stem', () => {
  it('brings inflections of a word together', () => {
    const groups = [
      ['export', 'exports', 'exporting', 'exported'],
      ['reply', 'replies', 'replied'],
      ['integration', 'integrations', 'integrate', 'integrated', 'integrating'],
      ['ship', 'ships', 'shipping', 'shipped'],
      ['make', 'makes', 'making'],
    ];
    for (const g of groups) expect(new Set(g.map(stem))).toEqual(new Set([stem(g[0])]));
    expect(stem('class')).toBe('class');
    expect(stem('status')).toBe('status');
    expect(stem('bus')).toBe('bus');
  });
});
