import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IsIsoDate, parseTimestamp } from './iso-date';

describe('parseTimestamp', () => {
  it.each([
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2024-02-29T10:00:00Z', '2024-02-29T10:00:00.000Z'],
    ['2024-02-29t10:00z', '2024-02-29T10:00:00.000Z'],
    ['2024-02-29T10:00:00.123+05:30', '2024-02-29T04:30:00.123Z'],
    ['2024-02-29T10:00', '2024-02-29T10:00:00.000Z'],
    // As PostgreSQL prints timestamptz (any session time zone), to the microsecond.
    ['2024-02-29 10:00:00.123456+00', '2024-02-29T10:00:00.123456Z'],
    ['2024-02-29 10:00:00-03', '2024-02-29T13:00:00.000Z'],
    ['1900-01-01 00:00:00+00:09:21', '1899-12-31T23:50:39.000Z'],
    ['2024-02-29T10:00:00.000000Z', '2024-02-29T10:00:00.000000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseTimestamp(text)?.iso).toBe(iso);
  });

  it.each([
    '2024-02-30',
    '2023-02-29',
    '1900-02-29',
    '2024-13-01',
    '2024-00-10',
    '2024-04-31',
    '2024-02-30T10:00:00Z',
    '2024-02-28T24:00:00Z',
    '2024-02-28T23:60:00Z',
    '2024-02-28T23:59:60Z',
    '2024-02-28T10:00:00+16:00',
    '2024-02-28T10:00:00+05:60',
    '2024-W09',
    '2024-060',
    '20240228',
    '2024-02',
    '2024',
    '99999-01-01',
    '+275760-09-13T00:00:00Z',
    '0000-01-01',
    // Valid locally, but outside years 1-9999 in UTC (PostgreSQL would refuse year 0).
    '0001-01-01T00:00:00+01:00',
    '9999-12-31T23:00:00-02:00',
    'yesterday',
    '',
    '2024-02-28T10:00:00 02:00',
    ` 2024-02-28`,
    '2024-02-28T10:00:00.1234567890Z',
    '２０２４-02-28',
  ])('refuses %j', (text) => {
    expect(parseTimestamp(text)).toBeNull();
  });
});

describe('@IsIsoDate', () => {
  class Dto {
    @IsIsoDate() from?: string;
  }
  const check = (from: unknown) => {
    const dto = plainToInstance(Dto, { from });
    return { dto, errors: validateSync(dto) };
  };

  it('hands a valid date on as ISO 8601 in UTC', () => {
    const { dto, errors } = check('2024-02-29T10:00:00+02:00');
    expect(errors).toEqual([]);
    expect(dto.from).toBe('2024-02-29T08:00:00.000Z');
  });

  it('refuses an impossible date, naming the property', () => {
    const { errors } = check('2024-02-30');
    expect(errors).toHaveLength(1);
    expect(errors[0].property).toBe('from');
    expect(Object.values(errors[0].constraints ?? {})[0]).toMatch(/^from must be a real date/);
  });

  it('refuses what is not a string', () => {
    expect(check(['2024-02-29', '2024-03-01']).errors).toHaveLength(1);
    expect(check(20240229).errors).toHaveLength(1);
  });
});
