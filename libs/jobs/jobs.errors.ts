import { ApplicationError } from '@libs/common/errors/application-error';

export enum JobsErrorCode {
  UnknownJob = 'JOBS.UNKNOWN_JOB',
}

export const jobsErrorStatuses: Record<JobsErrorCode, number> = {
  [JobsErrorCode.UnknownJob]: 404,
};

export class JobsError extends ApplicationError {
  constructor(
    readonly code: JobsErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

export class UnknownJobError extends JobsError {
  constructor(name: string) {
    super(JobsErrorCode.UnknownJob, `No scheduled job is named "${name}"`, { name });
  }
}
