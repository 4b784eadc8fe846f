import { ApplicationError } from '@libs/common/errors/application-error';
import { registerErrorStatuses } from '@libs/common/http/error-status.registry';

export enum PrivacyErrorCode {
  SubjectErased = 'PRIVACY.SUBJECT_ERASED',
}

export const privacyErrorStatuses: Record<PrivacyErrorCode, number> = {
  [PrivacyErrorCode.SubjectErased]: 422,
};
registerErrorStatuses(privacyErrorStatuses);

/** Personal data of an erased data subject cannot be written again: their key is gone for good. */
export class SubjectErasedError extends ApplicationError {
  readonly code = PrivacyErrorCode.SubjectErased;

  constructor(readonly subjectId: string) {
    super(`Data subject ${subjectId} has been erased: no personal data of theirs can be recorded`, { subjectId });
  }
}
