import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { requestContext } from '@libs/common/request-context/request-context';
import { CommandMetadata } from '../command-metadata';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;

/** Parses `If-Match: 3` or `If-Match: "3"` (ETag form) into an expected version. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!m) throw new ValidationFailedError('If-Match must be an aggregate version', [{ field: 'If-Match', message: 'must be a version number such as "3"' }]);
  return Number(m[1]);
}

export function commandMetadataFrom(req: Pick<Request, 'header'>, now = new Date()): CommandMetadata {
  const ctx = requestContext.current();
  const key = req.header('idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new ValidationFailedError('Idempotency-Key is not valid', [
      { field: 'Idempotency-Key', message: 'must be 1-200 characters of letters, digits, . _ : -' },
    ]);
  }
  return {
    commandId: uuidv7(),
    workspaceId: ctx?.workspaceId ?? null,
    actorId: ctx?.actorId ?? null,
    correlationId: ctx?.requestId ?? uuidv7(),
    now,
    expectedVersion: parseIfMatch(req.header('if-match')),
    idempotencyKey: key,
  };
}

/** `@CommandMeta() meta: CommandMetadata` in a controller: request id, actor, workspace, If-Match, Idempotency-Key. */
export const CommandMeta = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandMetadata => {
  const req = ctx.switchToHttp().getRequest<Request>();
  const meta = commandMetadataFrom(req);
  const ws = (req.params as Record<string, string> | undefined)?.workspaceId;
  return ws && !meta.workspaceId ? { ...meta, workspaceId: ws } : meta;
});
