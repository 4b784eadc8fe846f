import { IngestionErrorCode as Code } from '@modules/ingestion/domain/ingestion.errors';

/** Every ingestion refusal's HTTP status (exhaustive). */
export const ingestionErrorStatuses: Record<Code, number> = {
  [Code.SourceNotFound]: 404,
  [Code.SourceInactive]: 422,
  [Code.SourceExternalAccountTaken]: 409,
  [Code.AccountNotVerified]: 422,
  [Code.CredentialsInvalid]: 400,
  [Code.LinkedAccountRefused]: 422,
  [Code.SourceConfigInvalid]: 400,
  [Code.JobNotFound]: 404,
  [Code.ImportFormatInvalid]: 400,
  [Code.ImportBodyTooLarge]: 413,
  [Code.ImportLineTooLong]: 413,
  [Code.ImportJsonTooLarge]: 413,
  [Code.ImportZipTooManyEntries]: 413,
  [Code.ImportZipEntryTooLarge]: 413,
  [Code.ImportZipTooLarge]: 413,
  [Code.TooManyImports]: 429,
  [Code.WebhookSignatureInvalid]: 401,
  [Code.WebhookKindMismatch]: 404,
};
