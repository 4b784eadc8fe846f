/** What a crypto-shredded personal field reads as (libs/event-store's ERASED marker). */
export const ERASED_TEXT = '[erased]';
export const SUBJECT_ERASED = 'privacy.subject-erased';
