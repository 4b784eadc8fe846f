import { z } from 'zod';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { cursorCodec, cursorPart } from './cursor';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const UUID = '0190b3c4-1a2b-7c3d-8e4f-5a6b7c8d9e0f';

describe('cursor codec', () => {
  const keyset = cursorCodec('test.keyset', z.tuple([cursorPart.timestamp, cursorPart.uuid]));
  const log = cursorCodec('test.log', z.strictObject({ t: cursorPart.xid8, p: cursorPart.position }));

  it('decodes what it encoded', () => {
    expect(keyset.decode(keyset.encode(['2024-02-29 10:00:00.123456+00', UUID]))).toEqual(['2024-02-29 10:00:00.123456+00', UUID]);
    expect(log.decode(log.encode({ t: '18446744073709551615', p: 42 }))).toEqual({ t: '18446744073709551615', p: 42 });
  });

  const refused: [string, string][] = [
    ['empty', ''],
    ['not base64url', '!!!'],
    ['padding', `${b64({ k: 'test.log', v: { t: '1', p: 1 } })}==`],
    ['not JSON', Buffer.from('{"k":').toString('base64url')],
    ['too long', 'A'.repeat(3000)],
    ['no envelope', b64(['2024-02-29 10:00:00+00', UUID])],
    ['another list', b64({ k: 'test.other', v: ['2024-02-29 10:00:00+00', UUID] })],
    ['a key more', b64({ k: 'test.keyset', v: ['2024-02-29 10:00:00+00', UUID], x: 1 })],
    ['30 February', b64({ k: 'test.keyset', v: ['2024-02-30 10:00:00+00', UUID] })],
    ['id not a uuid', b64({ k: 'test.keyset', v: ['2024-02-29 10:00:00+00', 'x'] })],
    ['a part more', b64({ k: 'test.keyset', v: ['2024-02-29 10:00:00+00', UUID, 1] })],
    ['xid not a number', b64({ k: 'test.log', v: { t: 'abc', p: 1 } })],
    ['xid past xid8', b64({ k: 'test.log', v: { t: '18446744073709551616', p: 1 } })],
    ['position past 2^53', b64({ k: 'test.log', v: { t: '1', p: 2 ** 53 } })],
    ['negative position', b64({ k: 'test.log', v: { t: '1', p: -1 } })],
    ['huge position', b64({ k: 'test.log', v: { t: '1', p: 1e308 } })],
  ];
  it.each(refused)('refuses %s with VALIDATION_FAILED naming cursor', (_label, cursor) => {
    const codec = /"test\.log"|t":/.test(Buffer.from(cursor, 'base64url').toString()) ? log : keyset;
    let error: unknown;
    try {
      codec.decode(cursor);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as ValidationFailedError).errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
  });

  it('refuses text with a NUL character (PostgreSQL would fail the query)', () => {
    const named = cursorCodec('test.named', z.tuple([cursorPart.text(100), cursorPart.uuid]));
    expect(() => named.decode(b64({ k: 'test.named', v: ['a\u0000b', UUID] }))).toThrow(ValidationFailedError);
    expect(named.decode(b64({ k: 'test.named', v: ['ab', UUID] }))).toEqual(['ab', UUID]);
  });
});
