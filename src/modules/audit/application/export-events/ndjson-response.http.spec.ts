import { Writable } from 'node:stream';
import type { Response } from 'express';
import { sendNdjson } from './ndjson-response.http';

/** A slow client: a socket-like Writable with a tiny buffer, plus the bits of Response used. */
function slowResponse(delayMs = 1) {
  const written: string[] = [];
  const headers: Record<string, string> = {};
  const stream = new Writable({
    highWaterMark: 1,
    write(chunk, _enc, cb) {
      setTimeout(() => {
        written.push(String(chunk));
        cb();
      }, delayMs);
    },
  });
  const res = Object.assign(stream, {
    statusCode: 0,
    status(code: number) {
      res.statusCode = code;
      return res;
    },
    setHeader(name: string, value: string) {
      headers[name.toLowerCase()] = value;
      return res;
    },
  });
  return { res, written, headers, asResponse: res as unknown as Response };
}

describe('sendNdjson', () => {
  it('writes one JSON line per item and pulls the next item only once the client has drained', async () => {
    const { asResponse, written, headers, res } = slowResponse();
    let pulled = 0;
    let maxAhead = 0;
    async function* items() {
      for (let i = 0; i < 20; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - written.length);
        yield { i };
      }
    }
    await sendNdjson(asResponse, items(), 'x.ndjson');
    await new Promise((r) => res.once('finish', r));
    expect(written.join('')).toBe(Array.from({ length: 20 }, (_, i) => `{"i":${i}}\n`).join(''));
    expect(headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(res.statusCode).toBe(200);
    // The buffer holds one line: the producer never runs more than one line ahead of the client.
    expect(maxAhead).toBeLessThanOrEqual(2);
  });

  it('stops pulling items (and closes the source) when the client goes away', async () => {
    const { asResponse, res } = slowResponse(5);
    let pulled = 0;
    let closed = false;
    async function* items() {
      try {
        for (let i = 0; i < 1_000; i++) {
          pulled++;
          if (i === 3) setImmediate(() => res.destroy());
          yield { i };
        }
      } finally {
        closed = true;
      }
    }
    await sendNdjson(asResponse, items(), 'x.ndjson');
    expect(pulled).toBeLessThan(10);
    expect(closed).toBe(true);
  });

  it('fails before sending anything when the first read fails, so the error can still be a problem+json', async () => {
    const { asResponse, res } = slowResponse();
    // eslint-disable-next-line require-yield
    async function* items(): AsyncGenerator<unknown> {
      throw new Error('database down');
    }
    await expect(sendNdjson(asResponse, items(), 'x.ndjson')).rejects.toThrow('database down');
    expect(res.statusCode).toBe(0);
    expect(res.destroyed).toBe(false);
  });

  it('cuts the connection when a later read fails, so a truncated export cannot look complete', async () => {
    const { asResponse, res } = slowResponse();
    async function* items() {
      yield { i: 0 };
      throw new Error('database down');
    }
    await expect(sendNdjson(asResponse, items(), 'x.ndjson')).rejects.toThrow('database down');
    expect(res.destroyed).toBe(true);
  });
});
