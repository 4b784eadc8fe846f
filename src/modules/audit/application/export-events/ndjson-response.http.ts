import type { Response } from 'express';

/**
 * Streams items as NDJSON (one JSON document a line) with backpressure: when `write` says the
 * socket buffer is full, the next item is not even fetched until `drain`. A client that goes
 * away stops the walk (and so the database reads).
 *
 * The first item is fetched before any header is sent, so a failure of the first read still
 * becomes a problem+json answer. A later failure can only cut the connection: a 200 with a
 * truncated body must not look complete to the client.
 */
export async function sendNdjson(res: Response, items: AsyncIterable<unknown>, filename: string): Promise<void> {
  const iterator = items[Symbol.asyncIterator]();
  let next = await iterator.next();
  res.status(200);
  res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.setHeader('Cache-Control', 'no-store');
  try {
    while (!next.done) {
      if (res.destroyed) return;
      if (!res.write(`${JSON.stringify(next.value)}\n`)) await drainedOrClosed(res);
      if (res.destroyed) return;
      next = await iterator.next();
    }
    res.end();
  } catch (err) {
    // Without an error argument: the error is rethrown (and logged) here, not emitted on the socket.
    res.destroy();
    throw err;
  } finally {
    if (!next.done) await iterator.return?.(undefined);
  }
}

function drainedOrClosed(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
