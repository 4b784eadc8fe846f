import { z } from 'zod';
import { cursorCodec, cursorPart } from '@libs/common/pagination/cursor';
import { Checkpoint } from '@libs/event-store/event-store.types';

/**
 * The opaque `cursor` of the event log: its position `{"t": transactionId, "p": globalPosition}`,
 * the keyset of the log's order, in the shared cursor codec. A position, not an offset, so
 * paging has neither duplicates nor gaps while events are appended.
 */
const codec = cursorCodec('audit.events', z.strictObject({ t: cursorPart.xid8, p: cursorPart.position }));

export function encodeEventCursor(position: Checkpoint): string {
  return codec.encode({ t: position.transactionId, p: position.globalPosition });
}

/** Throws VALIDATION_FAILED (field `cursor`) for anything encodeEventCursor did not produce. */
export function decodeEventCursor(cursor: string): Checkpoint {
  const { t, p } = codec.decode(cursor);
  return { transactionId: t, globalPosition: p };
}
