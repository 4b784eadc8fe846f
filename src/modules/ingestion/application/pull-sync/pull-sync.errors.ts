import { ApplicationError } from '@libs/common/errors/application-error';

/** Refusals of the pull sync (namespaced like IngestionErrorCode; their HTTP statuses are in pull-sync.errors.http.ts). */
export enum PullSyncErrorCode {
  AlreadyRunning = 'INGESTION.SYNC_ALREADY_RUNNING',
  NotSupported = 'INGESTION.SYNC_NOT_SUPPORTED',
}

export class PullSyncError extends ApplicationError {
  constructor(
    readonly code: PullSyncErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}
