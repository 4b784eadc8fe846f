import Ajv from 'ajv';
import { ValidationFailedError } from '@libs/common/errors/application-error';

/**
 * A task config's response schema must itself be a JSON Schema ajv compiles: checked against the
 * meta-schema, with unknown keywords refused (a misspelt `requried` would otherwise check nothing).
 * A run validates the agent's answers with it, so a schema that cannot compile is refused when saved.
 */
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false, validateFormats: false });

export const RESPONSE_SCHEMA_MAX_BYTES = 100_000;

export function checkResponseSchema(schema: unknown): Record<string, unknown> {
  const fail = (message: string) => new ValidationFailedError('The response schema is not a valid JSON Schema', [{ field: 'responseSchema', message }]);
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw fail('must be a JSON Schema object');
  if (JSON.stringify(schema).length > RESPONSE_SCHEMA_MAX_BYTES) throw fail(`must be at most ${RESPONSE_SCHEMA_MAX_BYTES} bytes of JSON`);
  try {
    ajv.compile(schema);
  } catch (err) {
    throw fail((err as Error).message);
  } finally {
    // Compiled schemas are cached by their $id: a schema only checked here must not stay.
    const id = (schema as { $id?: unknown }).$id;
    if (typeof id === 'string') ajv.removeSchema(id);
  }
  return schema as Record<string, unknown>;
}
