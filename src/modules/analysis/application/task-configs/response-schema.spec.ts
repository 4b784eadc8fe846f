import { ValidationFailedError } from '@libs/common/errors/application-error';
import { TASK_PROPOSALS_ANSWER_SCHEMA } from '@modules/analysis/domain/task-proposal/task-proposals-answer.schema';
import { checkResponseSchema } from './response-schema';

const refusal = (schema: unknown) => {
  try {
    checkResponseSchema(schema);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationFailedError);
    return (err as ValidationFailedError).errors;
  }
  throw new Error('expected a refusal');
};

describe('checkResponseSchema', () => {
  it('keeps schemas ajv compiles, the built-in answer schema included', () => {
    expect(checkResponseSchema(TASK_PROPOSALS_ANSWER_SCHEMA)).toBe(TASK_PROPOSALS_ANSWER_SCHEMA);
    expect(checkResponseSchema({ type: 'object', properties: { a: { type: ['string', 'null'] } } })).toEqual(expect.any(Object));
  });

  it('refuses what is not a schema, with ajv\'s reason on responseSchema', () => {
    expect(refusal({ type: 'banana' })).toEqual([{ field: 'responseSchema', message: expect.stringContaining('type') }]);
    expect(refusal({ type: 'object', requried: ['a'] })).toEqual([{ field: 'responseSchema', message: expect.stringContaining('requried') }]);
    expect(refusal([])).toEqual([{ field: 'responseSchema', message: 'must be a JSON Schema object' }]);
    expect(refusal({ $ref: '#/definitions/missing' })).toEqual([{ field: 'responseSchema', message: expect.any(String) }]);
  });

  it('a schema with an $id can be checked again (it is not kept by the checker)', () => {
    const schema = { $id: 'https://example.com/answer.json', type: 'object' };
    expect(checkResponseSchema(schema)).toBe(schema);
    expect(checkResponseSchema({ ...schema })).toEqual(schema);
  });
});
