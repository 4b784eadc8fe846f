import type { Request } from 'express';
import { ClientInfo } from './session-issuer';

export function clientInfo(req: Request): ClientInfo {
  return { userAgent: (req.header('user-agent') ?? '').slice(0, 300) || null, ip: req.ip ?? null };
}
