/**
 * pgvector's text form of a vector (`[0.1,-2,3e-7]`): how a number[] is sent as a `$n::vector`
 * parameter (node-postgres would send an array as `{...}`, which pgvector refuses). The one place
 * that spells the format, so every query reads and writes vectors alike.
 */
export function toVectorLiteral(vector: readonly number[]): string {
  return `[${vector.join(',')}]`;
}

/** The numbers of pgvector's text form (`embedding::text`), e.g. to embed a stored vector in a literal again. */
export function fromVectorLiteral(literal: string): number[] {
  const body = literal.trim();
  if (!body.startsWith('[') || !body.endsWith(']')) throw new SyntaxError(`not a pgvector literal: ${body.slice(0, 40)}`);
  const inner = body.slice(1, -1).trim();
  if (inner === '') return [];
  return inner.split(',').map((part) => {
    const n = Number(part);
    if (part.trim() === '' || !Number.isFinite(n)) throw new SyntaxError(`not a pgvector literal: ${body.slice(0, 40)}`);
    return n;
  });
}
