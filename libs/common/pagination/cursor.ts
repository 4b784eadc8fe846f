import { z } from 'zod';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { parseTimestamp } from '@libs/common/http/iso-date';

/**
 * The one codec of the opaque `?cursor=` of every list (docs/api.md: `nextCursor`). A cursor is
 * base64url of `{"k": <list>, "v": <position>}`: the list it belongs to, and its position as
 * that list declares it with a zod schema. Decoding checks both strictly, so a forged cursor,
 * one of another list, or one whose parts would make the SQL fail (an impossible date, an id
 * that is not a uuid, a number past bigint) is a 400 VALIDATION_FAILED naming `cursor`, never
 * a 500, and never a silently wrong page.
 */
export interface CursorCodec<T> {
  encode(position: T): string;
  /** Throws ValidationFailedError (field `cursor`) for anything `encode` did not produce. */
  decode(cursor: string): T;
}

/** Longer than any position a list encodes; bounds the work a forged cursor costs. */
const MAX_CURSOR_LENGTH = 2048;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const XID8_MAX = 2n ** 64n - 1n;

/** Building blocks of positions; each accepts only what PostgreSQL takes for its column. */
export const cursorPart = {
  /** A timestamptz as PostgreSQL prints it (`col::text`) or as ISO 8601: kept as text, exact to the microsecond. */
  timestamp: z.string().refine((s) => parseTimestamp(s) !== null),
  uuid: z.string().regex(UUID),
  /** Text as PostgreSQL takes it: no NUL character (a text parameter with one fails the query). */
  text: (maxLength: number) => z.string().max(maxLength).refine((s) => !s.includes('\u0000')),
  int: (min: number, max: number) => z.number().int().min(min).max(max),
  /** A bigint that fits a JS number exactly (positions, counters). */
  position: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** A transaction id (xid8) as decimal text. */
  xid8: z.string().refine((s) => /^\d{1,20}$/.test(s) && BigInt(s) <= XID8_MAX),
};

export function invalidCursor(): ValidationFailedError {
  return new ValidationFailedError('The cursor is not one this list gave out', [
    { field: 'cursor', message: 'must be the nextCursor of a previous page of the same list and query' },
  ]);
}

/** `kind` names the list (e.g. 'ingestion.messages'): a cursor of another list is refused. */
export function cursorCodec<T>(kind: string, position: z.ZodType<T>): CursorCodec<T> {
  const envelope = z.strictObject({ k: z.literal(kind), v: position });
  return {
    encode: (value) => Buffer.from(JSON.stringify({ k: kind, v: value })).toString('base64url'),
    decode: (cursor) => {
      if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) throw invalidCursor();
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        throw invalidCursor();
      }
      let parsed: ReturnType<typeof envelope.safeParse>;
      try {
        parsed = envelope.safeParse(json);
      } catch {
        // A refinement that throws on a value it did not expect is still a bad cursor.
        throw invalidCursor();
      }
      if (!parsed.success) throw invalidCursor();
      return parsed.data.v as T;
    },
  };
}
