import { ApplicationError, PlatformErrorCode } from '@libs/common/errors/application-error';
import { ExpectedVersion } from './event-store.types';

/** The stream moved on since the caller read it (or exists / does not exist against expectation). */
export class ConcurrencyError extends ApplicationError {
  readonly code = PlatformErrorCode.ConcurrencyConflict;

  constructor(
    readonly streamId: string,
    readonly expectedVersion: ExpectedVersion,
    readonly actualVersion: number | null,
  ) {
    super(
      `Stream ${streamId} is at version ${actualVersion ?? 'none'}, expected ${String(expectedVersion)}`,
      { streamId, expectedVersion, actualVersion },
    );
  }
}
