import { Query } from '@nestjs/cqrs';
import type { AuditViewer } from '@libs/event-store/audit-visibility';
import { AuditEventView } from '@modules/audit/infrastructure/audit-events.queries';
import { CausationGroup } from './causation-tree';

export interface CorrelationResult {
  correlationId: string;
  events: AuditEventView[];
  tree: CausationGroup<AuditEventView>[];
  truncated: boolean;
}

/**
 * Everything one request caused, in log order and as a causation tree. With `workspaceId` only
 * that workspace's events of the request (events of others are left out of the tree: one of
 * them that caused a kept event leaves that event a root).
 */
export class GetCorrelationQuery extends Query<CorrelationResult> {
  constructor(
    readonly correlationId: string,
    readonly viewer: AuditViewer,
    readonly workspaceId?: string,
  ) {
    super();
  }
}
