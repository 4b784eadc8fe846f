import type { Request } from 'express';
import { WorkspaceRole } from './workspace-role';

/**
 * Who is calling, as established by the identity module's authentication middleware:
 * a signed-in user (JWT), a machine client (API key, bound to one workspace and role), or the
 * operator token (ADMIN_TOKEN, for automation and break-glass).
 */
export type Principal =
  | { kind: 'user'; userId: string; sessionId: string | null; superuser: boolean }
  /** `role` is the key's own ceiling; what it may do is the access policy's answer, capped by its creator's current role. */
  | { kind: 'api-key'; apiKeyId: string; workspaceId: string; role: WorkspaceRole; createdBy: string }
  | { kind: 'operator' };

type WithPrincipal = Request & { principal?: Principal; authFailure?: string };

export function principalOf(req: Request): Principal | undefined {
  return (req as WithPrincipal).principal;
}

export function setPrincipal(req: Request, principal: Principal): void {
  (req as WithPrincipal).principal = principal;
}

/** Credentials were presented but are not valid (expired or tampered JWT, revoked key): a 401, never a 404. */
export function authFailureOf(req: Request): string | undefined {
  return (req as WithPrincipal).authFailure;
}

export function setAuthFailure(req: Request, reason: string): void {
  (req as WithPrincipal).authFailure = reason;
}

/** The id events record as their actor. */
export function actorIdOf(p: Principal): string {
  return p.kind === 'user' ? p.userId : p.kind === 'api-key' ? `api-key:${p.apiKeyId}` : 'operator';
}
