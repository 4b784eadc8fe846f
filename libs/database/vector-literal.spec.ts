import { fromVectorLiteral, toVectorLiteral } from '@libs/database/vector-literal';

describe('toVectorLiteral', () => {
  it('writes pgvector text form: brackets, commas, no spaces', () => {
    expect(toVectorLiteral([0.5, -2, 3e-7, 0])).toBe('[0.5,-2,3e-7,0]');
    expect(toVectorLiteral([])).toBe('[]');
  });

  it('reads back what it wrote, and what PostgreSQL prints (spaces tolerated)', () => {
    const v = [0.1, -0.25, 1e-5, 42];
    expect(fromVectorLiteral(toVectorLiteral(v))).toEqual(v);
    expect(fromVectorLiteral(' [1, 2.5 ,-3] ')).toEqual([1, 2.5, -3]);
    expect(fromVectorLiteral('[]')).toEqual([]);
  });

  it('refuses text that is not a vector', () => {
    for (const bad of ['1,2', '[1,,2]', '[1,x]', '{1,2}', '[NaN]']) expect(() => fromVectorLiteral(bad)).toThrow(SyntaxError);
  });
});
