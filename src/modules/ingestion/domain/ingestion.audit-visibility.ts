import type { AuditVisibilityDeclaration } from '@libs/event-store/audit-visibility';

/** A source's sealed credentials are never shown by a reader of the log, whoever asks. */
export const ingestionAuditVisibility: Record<string, AuditVisibilityDeclaration> = {
  'ingestion.source-connected': { secretFields: ['credentialsCiphertext'] },
  'ingestion.source-credentials-replaced': { secretFields: ['credentialsCiphertext'] },
};
