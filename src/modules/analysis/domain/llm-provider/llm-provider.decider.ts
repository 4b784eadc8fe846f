import { Decider } from '@libs/eventsourcing/decider';
import {
  ConfigurationItemCommand,
  configurationItemDecider,
  ConfigurationItemEvent,
  ConfigurationItemState,
} from '@modules/analysis/domain/configuration/configuration-item.decider';
import { AnalysisConfigurationError, AnalysisConfigurationErrorCode as Code } from '@modules/analysis/domain/configuration/configuration.errors';
import { LlmProviderSettings } from '@modules/analysis/domain/configuration/configuration-settings';

/**
 * An LLM provider: a configuration item whose connection is proven by a real call. Every new
 * connection (created, base URL or key changed, or asked again) is a numbered validation
 * `attempt`: pending -> validating -> connected | error. A started or finished attempt that is
 * no longer the latest is ignored, so a slow check of an old key never overwrites the verdict on
 * the new one, and a redelivered check records nothing twice. The built-in provider needs no
 * call: it is connected when created.
 */
export type ProviderValidationStatus = 'pending' | 'validating' | 'connected' | 'error';

export type LlmProviderEvent =
  | ConfigurationItemEvent<'llm-provider', LlmProviderSettings>
  | { type: 'analysis.llm-provider-validation-requested'; data: { id: string; attempt: number; at: string } }
  | { type: 'analysis.llm-provider-validation-started'; data: { id: string; attempt: number; at: string } }
  /** `error`: why the call failed, without secrets (the caller strips the key). */
  | { type: 'analysis.llm-provider-validated'; data: { id: string; attempt: number; status: 'connected' | 'error'; error: string | null; at: string } };

export type LlmProviderState = ConfigurationItemState<LlmProviderSettings> & { attempt: number; validation: ProviderValidationStatus };

export type LlmProviderCommand =
  | ConfigurationItemCommand<LlmProviderSettings>
  | { kind: 'request-validation'; workspaceId: string; now: Date }
  | { kind: 'start-validation'; attempt: number; now: Date }
  | { kind: 'record-validation'; attempt: number; status: 'connected' | 'error'; error: string | null; now: Date };

const notFound = () => new AnalysisConfigurationError(Code.ProviderNotFound, 'No such LLM provider');
const item = configurationItemDecider<'llm-provider', LlmProviderSettings>('llm-provider', notFound);

/** What the next check of this provider's connection is: for builtin, the verdict itself. */
function validationAfter(s: { id: string; attempt: number; settings: LlmProviderSettings }, at: string): LlmProviderEvent {
  if (s.settings.type === 'builtin') return { type: 'analysis.llm-provider-validated', data: { id: s.id, attempt: s.attempt, status: 'connected', error: null, at } };
  return { type: 'analysis.llm-provider-validation-requested', data: { id: s.id, attempt: s.attempt + 1, at } };
}

export const llmProviderDecider: Decider<LlmProviderCommand, LlmProviderState, LlmProviderEvent> = {
  initialState: () => ({ ...item.initialState(), attempt: 0, validation: 'pending' }),
  evolve: (s, e) => {
    switch (e.type) {
      case 'analysis.llm-provider-validation-requested':
        return { ...s, attempt: e.data.attempt, validation: 'pending' };
      case 'analysis.llm-provider-validation-started':
        return { ...s, validation: 'validating' };
      case 'analysis.llm-provider-validated':
        return { ...s, validation: e.data.status };
      default: {
        const next = item.evolve(s, e);
        // A new item (created again after a delete included) starts with no verdict.
        return e.type === 'analysis.llm-provider-created' ? { ...next, attempt: s.attempt, validation: 'pending' } : { ...next, attempt: s.attempt, validation: s.validation };
      }
    }
  },
  decide: (c, s) => {
    const at = c.now.toISOString();
    switch (c.kind) {
      case 'create': {
        const created = item.decide(c, s);
        if (Array.isArray(created) && created.length === 0) return [];
        return [created as LlmProviderEvent, validationAfter({ id: c.id, attempt: s.attempt, settings: c.settings }, at)];
      }
      case 'change': {
        if (s.status === 'exists' && c.changes.type !== undefined && c.changes.type !== s.settings.type) {
          throw new AnalysisConfigurationError(Code.NotChangeable, 'A provider\'s type cannot change: create another provider', { field: 'type' });
        }
        const changed = [item.decide(c, s)].flat() as LlmProviderEvent[];
        if (changed.length === 0 || s.status !== 'exists') return changed;
        const d = (changed[0] as Extract<LlmProviderEvent, { type: 'analysis.llm-provider-changed' }>).data.changes;
        // Another server or key: the old verdict says nothing about it.
        return d.baseUrl !== undefined || d.apiKeyCiphertext !== undefined ? [...changed, validationAfter(s, at)] : changed;
      }
      case 'set-active':
      case 'delete':
        return item.decide(c, s);
      case 'request-validation': {
        if (s.status !== 'exists' || s.workspaceId !== c.workspaceId) throw notFound();
        return validationAfter(s, at);
      }
      case 'start-validation':
        if (s.status !== 'exists' || c.attempt !== s.attempt || s.validation !== 'pending') return [];
        return { type: 'analysis.llm-provider-validation-started', data: { id: s.id, attempt: c.attempt, at } };
      case 'record-validation':
        if (s.status !== 'exists' || c.attempt !== s.attempt || s.validation !== 'validating') return [];
        return { type: 'analysis.llm-provider-validated', data: { id: s.id, attempt: c.attempt, status: c.status, error: c.error, at } };
    }
  },
};
