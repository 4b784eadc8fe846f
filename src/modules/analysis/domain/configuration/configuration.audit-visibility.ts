import type { AuditVisibilityDeclaration } from '@libs/event-store/audit-visibility';

/** A provider's sealed API key is never shown by a reader of the log, whoever asks. */
export const analysisConfigurationAuditVisibility: Record<string, AuditVisibilityDeclaration> = {
  'analysis.llm-provider-created': { secretFields: ['settings.apiKeyCiphertext'] },
  'analysis.llm-provider-changed': { secretFields: ['changes.apiKeyCiphertext'] },
};
