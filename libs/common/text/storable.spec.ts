import { storableText, storableValue } from './storable';

describe('storable text', () => {
  it('drops NUL characters and replaces lone surrogates with U+FFFD', () => {
    expect(storableText('a\u0000b\u0000')).toBe('ab');
    expect(storableText('x\ud800y')).toBe('x\ufffdy');
    expect(storableText('end\udc00')).toBe('end\ufffd');
    expect(storableText('pair 😀 ok')).toBe('pair 😀 ok');
  });

  it('cleans every string of a value, keys included, and returns the same object when nothing needed it', () => {
    const clean = { a: 'x', b: [1, 'y', { c: true }], d: null };
    expect(storableValue(clean)).toBe(clean);
    const dirty = { 'k\u0000': 'v\u0000', list: ['ok', 'bad\ud800'], nested: { deep: { s: '\u0000' } }, n: 1 };
    const out = storableValue(dirty);
    expect(out).toEqual({ k: 'v', list: ['ok', 'bad\ufffd'], nested: { deep: { s: '' } }, n: 1 });
    expect(dirty['k\u0000']).toBe('v\u0000'); // the input is not changed
    expect(JSON.stringify(out)).not.toMatch(/\\u0000|\\ud800/);
  });

  it('keeps key order when a later key is cleaned', () => {
    expect(Object.keys(storableValue({ first: 1, second: 'two\u0000', third: 3 }))).toEqual(['first', 'second', 'third']);
  });

  it('cuts values nested deeper than 64 levels', () => {
    let v: unknown = 'leaf';
    for (let i = 0; i < 100; i++) v = { v };
    let out = storableValue(v) as { v: unknown } | null;
    let depth = 0;
    while (out && typeof out === 'object') {
      out = out.v as { v: unknown } | null;
      depth++;
    }
    expect(depth).toBe(64);
  });
});
