import { DeciderSpecification } from '@libs/eventsourcing/testing/decider-specification';
import { AnalysisConfigurationError, AnalysisConfigurationErrorCode as Code } from '@modules/analysis/domain/configuration/configuration.errors';
import { LlmProviderSettings } from '@modules/analysis/domain/configuration/configuration-settings';
import { LlmProviderEvent, llmProviderDecider } from './llm-provider.decider';

const id = '0193a000-0000-7000-8000-00000000d001';
const workspaceId = '0193a000-0000-7000-8000-0000000000b1';
const now = new Date('2026-12-03T10:00:00.000Z');
const at = now.toISOString();
const settings: LlmProviderSettings = { name: 'OpenAI', type: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', apiKeyCiphertext: 'v1.k.sealed-1' };
const builtinSettings: LlmProviderSettings = { name: 'Built-in', type: 'builtin', baseUrl: null, apiKeyCiphertext: null };

const created: LlmProviderEvent = { type: 'analysis.llm-provider-created', data: { id, workspaceId, settings, at } };
const requested = (attempt: number): LlmProviderEvent => ({ type: 'analysis.llm-provider-validation-requested', data: { id, attempt, at } });
const started = (attempt: number): LlmProviderEvent => ({ type: 'analysis.llm-provider-validation-started', data: { id, attempt, at } });
const validated = (attempt: number, status: 'connected' | 'error' = 'connected', error: string | null = null): LlmProviderEvent => ({
  type: 'analysis.llm-provider-validated',
  data: { id, attempt, status, error, at },
});

describe('llmProviderDecider', () => {
  const spec = DeciderSpecification(llmProviderDecider);

  it('a new provider asks for its first validation; a builtin one is connected at once', () => {
    spec.given([]).when({ kind: 'create', id, workspaceId, settings, now }).then([created, requested(1)]);
    spec
      .given([])
      .when({ kind: 'create', id, workspaceId, settings: builtinSettings, now })
      .then([{ type: 'analysis.llm-provider-created', data: { id, workspaceId, settings: builtinSettings, at } }, validated(0)]);
    spec.given([created, requested(1)]).when({ kind: 'create', id, workspaceId, settings, now }).thenNothingHappened();
  });

  it('pending -> validating -> connected | error, for the latest attempt only', () => {
    spec.given([created, requested(1)]).when({ kind: 'start-validation', attempt: 1, now }).then([started(1)]);
    spec.given([created, requested(1), started(1)]).when({ kind: 'record-validation', attempt: 1, status: 'connected', error: null, now }).then([validated(1)]);
    spec
      .given([created, requested(1), started(1)])
      .when({ kind: 'record-validation', attempt: 1, status: 'error', error: 'answered 401', now })
      .then([validated(1, 'error', 'answered 401')]);
  });

  it('a redelivered or superseded check records nothing', () => {
    // Redelivered: the attempt has started or finished already.
    spec.given([created, requested(1), started(1)]).when({ kind: 'start-validation', attempt: 1, now }).thenNothingHappened();
    spec.given([created, requested(1), started(1), validated(1)]).when({ kind: 'record-validation', attempt: 1, status: 'error', error: 'late', now }).thenNothingHappened();
    // Superseded: a newer request came in while the old check ran.
    spec.given([created, requested(1), started(1), requested(2)]).when({ kind: 'record-validation', attempt: 1, status: 'connected', error: null, now }).thenNothingHappened();
    spec.given([created, requested(1), requested(2)]).when({ kind: 'start-validation', attempt: 1, now }).thenNothingHappened();
    // Recording before starting is not a verdict.
    spec.given([created, requested(1)]).when({ kind: 'record-validation', attempt: 1, status: 'connected', error: null, now }).thenNothingHappened();
  });

  it('another base URL or key asks for a new validation; a rename does not', () => {
    const history = [created, requested(1), started(1), validated(1)];
    spec
      .given(history)
      .when({ kind: 'change', workspaceId, changes: { apiKeyCiphertext: 'v1.k.sealed-2' }, now })
      .then([{ type: 'analysis.llm-provider-changed', data: { id, changes: { apiKeyCiphertext: 'v1.k.sealed-2' }, at } }, requested(2)]);
    spec
      .given(history)
      .when({ kind: 'change', workspaceId, changes: { baseUrl: 'https://llm.example.com/v1', name: 'Other' }, now })
      .then([{ type: 'analysis.llm-provider-changed', data: { id, changes: { baseUrl: 'https://llm.example.com/v1', name: 'Other' }, at } }, requested(2)]);
    spec.given(history).when({ kind: 'change', workspaceId, changes: { name: 'Renamed' }, now }).then([{ type: 'analysis.llm-provider-changed', data: { id, changes: { name: 'Renamed' }, at } }]);
    spec.given(history).when({ kind: 'change', workspaceId, changes: { baseUrl: settings.baseUrl }, now }).thenNothingHappened();
  });

  it('the type never changes', () => {
    spec
      .given([created])
      .when({ kind: 'change', workspaceId, changes: { type: 'ollama' }, now })
      .thenThrows(AnalysisConfigurationError, (e) => expect(e.code).toBe(Code.NotChangeable));
  });

  it('asked again: a new attempt; builtin: connected again at once; another workspace: not found', () => {
    spec.given([created, requested(1), started(1), validated(1, 'error', 'x')]).when({ kind: 'request-validation', workspaceId, now }).then([requested(2)]);
    const builtin: LlmProviderEvent = { type: 'analysis.llm-provider-created', data: { id, workspaceId, settings: builtinSettings, at } };
    spec.given([builtin, validated(0)]).when({ kind: 'request-validation', workspaceId, now }).then([validated(0)]);
    spec
      .given([created])
      .when({ kind: 'request-validation', workspaceId: '0193a000-0000-7000-8000-0000000000b2', now })
      .thenThrows(AnalysisConfigurationError, (e) => expect(e.code).toBe(Code.ProviderNotFound));
  });

  it('a provider created again after a delete starts its attempts where they were, with no verdict', () => {
    const deleted: LlmProviderEvent = { type: 'analysis.llm-provider-deleted', data: { id, at } };
    spec.given([created, requested(1), started(1), validated(1), deleted]).when({ kind: 'create', id, workspaceId, settings, now }).then([created, requested(2)]);
  });
});
