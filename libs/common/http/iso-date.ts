import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * One strict reading of a date or timestamp for everything a client sends (date filters) or
 * hands back (timestamps inside cursors): `YYYY-MM-DD`, or that with `T` (or a space, as
 * PostgreSQL prints timestamptz) and `hh:mm[:ss[.fraction]]`, then `Z`, `±hh`, `±hh:mm` or
 * `±hh:mm:ss` (none: UTC). Unlike `new Date()` and validator.js, every field is checked against
 * the calendar (no 30 February, no hour 25), week and ordinal dates are refused, and the
 * instant must lie in years 1-9999 in UTC too, which PostgreSQL takes as it is. A date that
 * passes here never makes PostgreSQL fail the query (a 500).
 */
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2})(?::?(\d{2}))?)?)?)?$/;

export interface ParsedTimestamp {
  /** The instant, to the millisecond. */
  date: Date;
  /** The same instant as ISO 8601 in UTC, keeping every digit of the fraction that was given. */
  iso: string;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (year: number, month: number) => (month === 2 && isLeap(year) ? 29 : DAYS[month - 1]);

export function parseTimestamp(text: string): ParsedTimestamp | null {
  if (typeof text !== 'string' || text.length > 64) return null;
  const m = TIMESTAMP.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const fraction = m[7] ?? '';
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetSeconds = 0;
  if (m[9]) {
    const [oh, om, os] = [Number(m[10]), Number(m[11] ?? 0), Number(m[12] ?? 0)];
    // PostgreSQL refuses displacements of 16 hours or more.
    if (oh > 15 || om > 59 || os > 59) return null;
    offsetSeconds = (m[9] === '-' ? -1 : 1) * (oh * 3600 + om * 60 + os);
  }
  const date = new Date(0);
  // setUTCFullYear: Date.UTC reads years 0-99 as 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  date.setTime(date.getTime() - offsetSeconds * 1000);
  const utcYear = date.getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) return null;
  const iso = fraction.length > 3 ? `${date.toISOString().slice(0, 20)}${fraction}Z` : date.toISOString();
  return { date, iso };
}

const MESSAGE = 'must be a real date in ISO 8601: YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.sss]] with Z or ±hh:mm (UTC when absent)';

/**
 * A date filter of a request DTO (`from`, `to`, `since`...): valid per `parseTimestamp`, and
 * handed on as ISO 8601 in UTC, so handlers and SQL read the same instant whatever the
 * server's or the database session's time zone.
 */
export function IsIsoDate(options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? (parseTimestamp(value)?.iso ?? value) : value)),
    ValidateBy(
      {
        name: 'isIsoDate',
        validator: {
          validate: (value: unknown) => typeof value === 'string' && parseTimestamp(value) !== null,
          defaultMessage: (args) => `${args?.property ?? 'value'} ${MESSAGE}`,
        },
      },
      options,
    ),
  );
}
