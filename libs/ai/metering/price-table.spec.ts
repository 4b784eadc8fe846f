import { PriceTable } from './price-table';

describe('PriceTable', () => {
  const table = new PriceTable({ 'llama3.1:8b': { prompt: 0.05, completion: 0.08 }, 'gpt-4o': { prompt: 2 }, 'my-embedder': { prompt: 0.01 } });

  it('prices a call in USD from the per-1M-token list prices', () => {
    expect(table.costOf('gpt-4o-mini', { promptTokens: 1_000_000, completionTokens: 1_000_000 })).toBeCloseTo(0.75, 12);
    expect(table.costOf('text-embedding-3-small', { promptTokens: 500_000, completionTokens: 0 })).toBeCloseTo(0.01, 12);
    expect(table.costOf('gpt-4.1-nano', { promptTokens: 2000, completionTokens: 1000 })).toBeCloseTo((2000 * 0.1 + 1000 * 0.4) / 1e6, 12);
    expect(table.costOf('offline-extractive-v1', { promptTokens: 10_000, completionTokens: 10_000 })).toBe(0);
  });

  it('lets overrides replace and add models; a missing completion price is the prompt price', () => {
    expect(table.priceOf('gpt-4o')).toEqual({ prompt: 2, completion: 2 });
    expect(table.costOf('llama3.1:8b', { promptTokens: 1_000_000, completionTokens: 1_000_000 })).toBeCloseTo(0.13, 12);
    expect(new PriceTable().priceOf('gpt-4o')).toEqual({ prompt: 2.5, completion: 10 });
  });

  it('finds dated snapshots (longest known name) and provider-prefixed names', () => {
    expect(table.priceOf('gpt-4o-mini-2024-07-18')).toEqual({ prompt: 0.15, completion: 0.6 });
    expect(table.priceOf('gpt-4.1-2025-04-14')).toEqual({ prompt: 2, completion: 8 });
    expect(table.priceOf('openai/gpt-4.1-mini')).toEqual({ prompt: 0.4, completion: 1.6 });
  });

  it('costs 0 for an unknown model', () => {
    expect(table.priceOf('mistral:7b')).toBeUndefined();
    expect(table.costOf('mistral:7b', { promptTokens: 123, completionTokens: 45 })).toBe(0);
    expect(table.priceOf('gpt-4omni')).toBeUndefined();
  });
});
