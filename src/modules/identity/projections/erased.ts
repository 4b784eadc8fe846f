/** What a crypto-shredded personal field reads as (libs/event-store's ERASED marker). */
export const ERASED_TEXT = '[erased]';
export const SUBJECT_ERASED = 'privacy.subject-erased';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
