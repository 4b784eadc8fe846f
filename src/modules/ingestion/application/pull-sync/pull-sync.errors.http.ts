import { PullSyncErrorCode } from './pull-sync.errors';

/** Every pull sync refusal's HTTP status (exhaustive). */
export const pullSyncErrorStatuses: Record<PullSyncErrorCode, number> = {
  [PullSyncErrorCode.AlreadyRunning]: 409,
  [PullSyncErrorCode.NotSupported]: 422,
};
