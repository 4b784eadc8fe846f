import { createHash } from 'node:crypto';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { actorIdOf, principalOf } from '@libs/common/auth/principal';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { requestContext } from '@libs/common/request-context/request-context';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;

/** Parses `If-Match: 3` or `If-Match: "3"` (ETag form) into an expected version. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!m) throw new ValidationFailedError('If-Match must be an aggregate version', [{ field: 'If-Match', message: 'must be a version number such as "3"' }]);
  return Number(m[1]);
}

/** Longest route kept readable in a scope; longer paths are hashed (the scope is part of a primary key). */
const MAX_SCOPE_PATH = 400;

/**
 * The caller and the route an Idempotency-Key holds for: `<actor> <METHOD> <path>`, the path as
 * requested (ids included, no query string), so the same key on another route or another
 * resource is another key. The owner is the person behind the caller (a user, or the user who
 * created the API key), whose erasure deletes the stored answers.
 */
export function idempotencyScopeFrom(req: Pick<Request, 'method' | 'baseUrl' | 'path'>): { scope: string; ownerId: string | null } {
  const principal = principalOf(req as Request);
  const caller = principal ? actorIdOf(principal) : 'anonymous';
  const path = `${req.baseUrl ?? ''}${req.path ?? ''}`;
  const route = path.length <= MAX_SCOPE_PATH ? path : `sha256:${createHash('sha256').update(path).digest('hex')}`;
  const ownerId = principal?.kind === 'user' ? principal.userId : principal?.kind === 'api-key' ? principal.createdBy : null;
  return { scope: `${caller} ${req.method} ${route}`, ownerId };
}

export function commandMetadataFrom(req: Pick<Request, 'header' | 'method' | 'baseUrl' | 'path'>, now = new Date()): CommandMetadata {
  const ctx = requestContext.current();
  const key = req.header('idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new ValidationFailedError('Idempotency-Key is not valid', [
      { field: 'Idempotency-Key', message: 'must be 1-200 characters of letters, digits, . _ : -' },
    ]);
  }
  const scoped = key === undefined ? undefined : idempotencyScopeFrom(req);
  return {
    commandId: uuidv7(),
    workspaceId: ctx?.workspaceId ?? null,
    actorId: ctx?.actorId ?? null,
    correlationId: ctx?.requestId ?? uuidv7(),
    now,
    expectedVersion: parseIfMatch(req.header('if-match')),
    idempotencyKey: key,
    ...(scoped ? { idempotencyScope: scoped.scope, idempotencyOwnerId: scoped.ownerId } : {}),
  };
}

/** `@CommandMeta() meta: CommandMetadata` in a controller: request id, actor, workspace, If-Match, Idempotency-Key (scoped). */
export const CommandMeta = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandMetadata => {
  const req = ctx.switchToHttp().getRequest<Request>();
  const meta = commandMetadataFrom(req);
  const ws = (req.params as Record<string, string> | undefined)?.workspaceId;
  return ws && !meta.workspaceId ? { ...meta, workspaceId: ws } : meta;
});
