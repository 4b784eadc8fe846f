import { PlatformErrorCode } from '@libs/common/errors/application-error';

/**
 * Error code -> HTTP status. Each bounded context contributes its own table, typed as
 * `Record<ItsErrorCode, number>` so the compiler refuses a code without a status.
 */
const statuses = new Map<string, number>();

export function registerErrorStatuses(table: Record<string, number>): void {
  for (const [code, status] of Object.entries(table)) statuses.set(code, status);
}

export function statusForCode(code: string): number | undefined {
  return statuses.get(code);
}

export const platformErrorStatuses: Record<PlatformErrorCode, number> = {
  [PlatformErrorCode.ConcurrencyConflict]: 409,
  [PlatformErrorCode.ValidationFailed]: 400,
  [PlatformErrorCode.NotFound]: 404,
  [PlatformErrorCode.IdempotencyKeyReused]: 422,
  [PlatformErrorCode.PayloadTooLarge]: 413,
  [PlatformErrorCode.UnsupportedMediaType]: 415,
  [PlatformErrorCode.Unauthenticated]: 401,
  [PlatformErrorCode.Forbidden]: 403,
  [PlatformErrorCode.RateLimited]: 429,
  [PlatformErrorCode.BusinessRuleViolated]: 422,
  [PlatformErrorCode.ServiceUnavailable]: 503,
  [PlatformErrorCode.Internal]: 500,
};
registerErrorStatuses(platformErrorStatuses);
