import { ApplicationError } from '@libs/common/errors/application-error';

export enum EventSourcingErrorCode {
  ParkedEventNotFound = 'EVENTSOURCING.PARKED_EVENT_NOT_FOUND',
  ParkedEventNotOpen = 'EVENTSOURCING.PARKED_EVENT_NOT_OPEN',
  ParkedRetryFailed = 'EVENTSOURCING.PARKED_RETRY_FAILED',
  ProjectionNotFound = 'EVENTSOURCING.PROJECTION_NOT_FOUND',
  RebuildAlreadyPending = 'EVENTSOURCING.REBUILD_ALREADY_PENDING',
  SagaNotFound = 'EVENTSOURCING.SAGA_NOT_FOUND',
  SagaInstanceNotFound = 'EVENTSOURCING.SAGA_INSTANCE_NOT_FOUND',
}

export const eventSourcingErrorStatuses: Record<EventSourcingErrorCode, number> = {
  [EventSourcingErrorCode.ParkedEventNotFound]: 404,
  [EventSourcingErrorCode.ParkedEventNotOpen]: 409,
  [EventSourcingErrorCode.ParkedRetryFailed]: 422,
  [EventSourcingErrorCode.ProjectionNotFound]: 404,
  [EventSourcingErrorCode.RebuildAlreadyPending]: 409,
  [EventSourcingErrorCode.SagaNotFound]: 404,
  [EventSourcingErrorCode.SagaInstanceNotFound]: 404,
};

export class EventSourcingError extends ApplicationError {
  constructor(
    readonly code: EventSourcingErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}
