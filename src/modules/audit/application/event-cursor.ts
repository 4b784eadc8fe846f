import { ValidationFailedError } from '@libs/common/errors/application-error';
import { Checkpoint } from '@libs/event-store/event-store.types';

/**
 * The opaque `cursor` of the event log: base64url of `{"t": transactionId, "p": globalPosition}`,
 * the keyset of the log's order. A position, not an offset, so paging has neither duplicates nor
 * gaps while events are appended.
 */
export function encodeEventCursor(position: Checkpoint): string {
  return Buffer.from(JSON.stringify({ t: position.transactionId, p: position.globalPosition })).toString('base64url');
}

const XID8_MAX = 2n ** 64n - 1n;

export function decodeEventCursor(cursor: string): Checkpoint {
  const invalid = () => new ValidationFailedError('The cursor is not valid', [{ field: 'cursor', message: 'cursor must be a value returned as nextCursor' }]);
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const { t, p } = (decoded ?? {}) as { t?: unknown; p?: unknown };
  if (typeof t !== 'string' || !/^\d{1,20}$/.test(t) || BigInt(t) > XID8_MAX) throw invalid();
  if (typeof p !== 'number' || !Number.isSafeInteger(p) || p < 0) throw invalid();
  return { transactionId: t, globalPosition: p };
}
