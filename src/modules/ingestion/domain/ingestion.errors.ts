import { ApplicationError } from '@libs/common/errors/application-error';

export enum IngestionErrorCode {
  SourceNotFound = 'INGESTION.SOURCE_NOT_FOUND',
  SourceInactive = 'INGESTION.SOURCE_INACTIVE',
  SourceExternalAccountTaken = 'INGESTION.SOURCE_EXTERNAL_ACCOUNT_TAKEN',
  /** The provider account could not be proven with the source's credentials. */
  AccountNotVerified = 'INGESTION.ACCOUNT_NOT_VERIFIED',
  CredentialsInvalid = 'INGESTION.CREDENTIALS_INVALID',
  /** A source names a linked OAuth account (config.oauthAccountId) the user creating it did not link, or of another provider. */
  LinkedAccountRefused = 'INGESTION.LINKED_ACCOUNT_REFUSED',
  /** A setting of the source's config is out of range (e.g. syncIntervalMinutes). */
  SourceConfigInvalid = 'INGESTION.SOURCE_CONFIG_INVALID',
  JobNotFound = 'INGESTION.JOB_NOT_FOUND',
  ImportFormatInvalid = 'INGESTION.IMPORT_FORMAT_INVALID',
  /** Import limits (413): an input larger than a configured bound (see ImportLimits). */
  ImportBodyTooLarge = 'INGESTION.IMPORT_BODY_TOO_LARGE',
  ImportLineTooLong = 'INGESTION.IMPORT_LINE_TOO_LONG',
  ImportJsonTooLarge = 'INGESTION.IMPORT_JSON_TOO_LARGE',
  ImportZipTooManyEntries = 'INGESTION.IMPORT_ZIP_TOO_MANY_ENTRIES',
  ImportZipEntryTooLarge = 'INGESTION.IMPORT_ZIP_ENTRY_TOO_LARGE',
  ImportZipTooLarge = 'INGESTION.IMPORT_ZIP_TOO_LARGE',
  /** Too many imports running at once in the workspace (429 with Retry-After). */
  TooManyImports = 'INGESTION.TOO_MANY_IMPORTS',
  WebhookSignatureInvalid = 'INGESTION.WEBHOOK_SIGNATURE_INVALID',
  WebhookKindMismatch = 'INGESTION.WEBHOOK_KIND_MISMATCH',
}

export class IngestionError extends ApplicationError {
  constructor(
    readonly code: IngestionErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}
