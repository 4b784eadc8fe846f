import { ApplicationError } from '@libs/common/errors/application-error';

export enum IngestionErrorCode {
  SourceNotFound = 'INGESTION.SOURCE_NOT_FOUND',
  SourceInactive = 'INGESTION.SOURCE_INACTIVE',
  SourceExternalAccountTaken = 'INGESTION.SOURCE_EXTERNAL_ACCOUNT_TAKEN',
  CredentialsInvalid = 'INGESTION.CREDENTIALS_INVALID',
  JobNotFound = 'INGESTION.JOB_NOT_FOUND',
  ImportFormatInvalid = 'INGESTION.IMPORT_FORMAT_INVALID',
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
