import { diffSnapshots, sameValue } from './version-diff';

describe('version diff: fields that changed, word diffs for long text, metadata per key', () => {
  const v1 = { type: 'problem', title: 'CSV export crashes', content: 'Export to CSV fails with a 500 on large reports.', confidence: 0.8, meta: { source: 'support', tickets: 3 } };
  const v2 = { ...v1, content: 'Export to CSV fails with a 500 on reports over 10k rows.', confidence: 0.9, meta: { source: 'support', tickets: 5, owner: 'ana' } };

  it('lists each changed field with both values; the same version twice is no change', () => {
    const changes = diffSnapshots(v1, v2, { longTextFields: ['content'], nestedFields: ['meta'] });
    expect(changes.map((c) => c.field)).toEqual(['content', 'confidence', 'meta.tickets', 'meta.owner']);
    expect(changes.find((c) => c.field === 'confidence')).toEqual({ field: 'confidence', from: 0.8, to: 0.9 });
    expect(changes.find((c) => c.field === 'meta.owner')).toEqual({ field: 'meta.owner', from: null, to: 'ana' });
    expect(diffSnapshots(v1, v1)).toEqual([]);
  });

  it('a word diff of a long text keeps the common words and marks the removed and added ones', () => {
    const [content] = diffSnapshots(v1, v2, { longTextFields: ['content'] });
    const removed = content.words!.filter((w) => w.removed).map((w) => w.value.trim()).join(' ');
    const added = content.words!.filter((w) => w.added).map((w) => w.value.trim()).join(' ');
    expect(removed).toContain('large');
    expect(added).toContain('10k');
    expect(content.words!.filter((w) => !w.added).map((w) => w.value).join('')).toBe(v1.content);
    expect(content.words!.filter((w) => !w.removed).map((w) => w.value).join('')).toBe(v2.content);
  });

  it('compares JSON by value whatever the key order', () => {
    expect(sameValue({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: '1' })).toBe(false);
  });
});
