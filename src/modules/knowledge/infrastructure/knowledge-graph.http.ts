import type { Response } from 'express';
import { ValidationFailedError } from '@libs/common/errors/application-error';

/** `:version` of a route: a positive integer, else 400. */
export function versionParam(value: string): number {
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1) throw new ValidationFailedError('The version is not valid', [{ field: 'version', message: 'must be a positive integer' }]);
  return n;
}

/** The aggregate's version as the ETag (what If-Match expects back). */
export function withEtag<T extends { streamVersion: number }>(res: Response, body: T): T {
  res.setHeader('ETag', `"${body.streamVersion}"`);
  return body;
}
