/**
 * Base of every error the application raises on purpose. It carries a stable, namespaced
 * `code` (e.g. 'CONCURRENCY_CONFLICT', 'IDENTITY.EMAIL_TAKEN') and no HTTP status: the http
 * layer maps codes to statuses in one exhaustive table per context (error-status.registry.ts).
 */
export abstract class ApplicationError extends Error {
  abstract readonly code: string;

  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Platform-wide codes that any context may raise. */
export enum PlatformErrorCode {
  ConcurrencyConflict = 'CONCURRENCY_CONFLICT',
  ValidationFailed = 'VALIDATION_FAILED',
  NotFound = 'NOT_FOUND',
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  RateLimited = 'RATE_LIMITED',
  BusinessRuleViolated = 'BUSINESS_RULE_VIOLATED',
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  Internal = 'INTERNAL_ERROR',
}

export class NotFoundError extends ApplicationError {
  readonly code = PlatformErrorCode.NotFound;
}

export class UnsupportedMediaTypeError extends ApplicationError {
  readonly code = PlatformErrorCode.UnsupportedMediaType;
}

export class ValidationFailedError extends ApplicationError {
  readonly code = PlatformErrorCode.ValidationFailed;

  constructor(
    message: string,
    readonly errors: { field: string; message: string }[],
  ) {
    super(message, { errors });
  }
}

export class IdempotencyKeyReusedError extends ApplicationError {
  readonly code = PlatformErrorCode.IdempotencyKeyReused;
}
