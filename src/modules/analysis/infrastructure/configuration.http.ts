import type { Response } from 'express';

/** The item's stream version as the ETag (what If-Match expects back). */
export function withEtag<T extends { streamVersion: number }>(res: Response, body: T): T {
  res.setHeader('ETag', `"${body.streamVersion}"`);
  return body;
}

export const IF_MATCH_HEADER = { name: 'If-Match', required: false, description: 'The item\'s version (its ETag) the change is based on; 412 when it moved on' };
