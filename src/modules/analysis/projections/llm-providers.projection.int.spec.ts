import { ProjectionSpecification } from '@libs/eventsourcing/testing/projection-specification';
import { LlmProviderEvent } from '@modules/analysis/domain/llm-provider/llm-provider.decider';
import { createTestDatabase, TestDatabase } from '@test/support/test-database';
import { LlmProvidersProjection } from './llm-providers.projection';

const id = '0193a000-0000-7000-8000-00000000d001';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const at = '2026-12-03T10:00:00.000Z';
const later = '2026-12-03T10:00:05.000Z';
const created: LlmProviderEvent = {
  type: 'analysis.llm-provider-created',
  data: { id, workspaceId, settings: { name: 'OpenAI', type: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', apiKeyCiphertext: 'v1.k.sealed-1' }, at },
};
const requested = (attempt: number, when = at): LlmProviderEvent => ({ type: 'analysis.llm-provider-validation-requested', data: { id, attempt, at: when } });
const row = {
  id,
  workspace_id: workspaceId,
  name: 'OpenAI',
  type: 'openai-compatible',
  base_url: 'https://api.openai.com/v1',
  api_key_encrypted: 'v1.k.sealed-1',
  is_active: true,
  validation_status: 'pending',
  validation_error: null,
  validated_at: null,
  validation_attempt: 1,
  stream_version: 2,
  created_by: 'u1',
  created_at: at,
  updated_at: at,
};

describe('LlmProvidersProjection (analysis_llm_providers_view)', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase(2)));
  afterAll(async () => db?.close());
  const spec = ProjectionSpecification<LlmProviderEvent>(new LlmProvidersProjection(), () => db.pool, { streamId: `analysis-llm-provider-${id}`, actorId: 'u1' });

  it('a new provider is pending its first check; its key stays ciphertext', async () => {
    await spec.given([]).when([created, requested(1)]).then([row]);
  });

  it('validating, then connected or error with the reason and the time of the verdict', async () => {
    const started: LlmProviderEvent = { type: 'analysis.llm-provider-validation-started', data: { id, attempt: 1, at: later } };
    await spec.given([created, requested(1)]).when([started]).then([{ ...row, validation_status: 'validating', stream_version: 3 }]);
    await spec
      .given([created, requested(1), started])
      .when([{ type: 'analysis.llm-provider-validated', data: { id, attempt: 1, status: 'error', error: 'answered 401', at: later } }])
      .then([{ ...row, validation_status: 'error', validation_error: 'answered 401', validated_at: later, stream_version: 4 }]);
    await spec
      .given([created, requested(1), started])
      .when([{ type: 'analysis.llm-provider-validated', data: { id, attempt: 1, status: 'connected', error: null, at: later } }])
      .then([{ ...row, validation_status: 'connected', validated_at: later, stream_version: 4 }]);
  });

  it('a new key is pending again, the last error cleared; a rename and deactivation move the ETag; delete removes the row', async () => {
    const failed: LlmProviderEvent = { type: 'analysis.llm-provider-validated', data: { id, attempt: 1, status: 'error', error: 'answered 401', at } };
    await spec
      .given([created, requested(1), failed])
      .when([{ type: 'analysis.llm-provider-changed', data: { id, changes: { apiKeyCiphertext: 'v1.k.sealed-2', name: 'Renamed' }, at: later } }, requested(2, later)])
      .then([{ ...row, name: 'Renamed', api_key_encrypted: 'v1.k.sealed-2', validation_attempt: 2, validated_at: at, stream_version: 5, updated_at: later }]);
    await spec
      .given([created, requested(1)])
      .when([{ type: 'analysis.llm-provider-active-changed', data: { id, active: false, at: later } }])
      .then([{ ...row, is_active: false, stream_version: 3, updated_at: later }]);
    await spec.given([created, requested(1)]).when([{ type: 'analysis.llm-provider-deleted', data: { id, at: later } }]).then([]);
  });

  it('a redelivered event changes nothing', async () => {
    await spec.given([created, requested(1)]).when([created]).then([row]);
  });
});
