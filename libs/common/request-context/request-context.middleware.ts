import type { NextFunction, Request, Response } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { acceptRequestId, requestContext } from './request-context';

/**
 * Gives every request an id (X-Request-Id in and out) and opens its request context. Mounted
 * first, before the body parser, so even a request with a broken body gets an id.
 */
export function requestContextMiddleware(req: Request, res: Response, next: NextFunction): void {
  const requestId = acceptRequestId(req.header('x-request-id')) ?? uuidv7();
  (req as any).id = requestId;
  res.setHeader('X-Request-Id', requestId);
  requestContext.run({ requestId }, next);
}

/** Used by pino-http so log lines carry the same id as the response header. */
export function requestIdFor(req: { id?: unknown }): string {
  return typeof req.id === 'string' ? req.id : uuidv7();
}
