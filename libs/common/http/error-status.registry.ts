import { PlatformErrorCode } from '@libs/common/errors/application-error';

/**
 * Error code -> HTTP status. Each bounded context contributes its own table, typed as
 * `Record<ItsErrorCode, number>` so the compiler refuses a code without a status.
 */
const statuses = new Map<string, number>();

/**
 * Adds a context's table. A code another table already maps to another status is refused at
 * start-up: which status won would depend on the order modules load (two analysis parts once
 * shared ANALYSIS.STALE_VERSION as 409 and 412, and the answer differed between backends).
 */
export function registerErrorStatuses(table: Record<string, number>): void {
  for (const [code, status] of Object.entries(table)) {
    const known = statuses.get(code);
    if (known !== undefined && known !== status) throw new Error(`Error code ${code} is mapped to HTTP ${known} and to ${status}: give it one status (or a code of its own)`);
    statuses.set(code, status);
  }
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
