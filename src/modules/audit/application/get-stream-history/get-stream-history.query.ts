import { Query } from '@nestjs/cqrs';
import type { AuditViewer } from '@libs/event-store/audit-visibility';
import { StreamHistory } from '@modules/audit/infrastructure/audit-events.queries';

/**
 * A stream's head and its events, oldest first, optionally only up to a version. With
 * `workspaceId` only a stream of that workspace is found (another workspace's is unknown);
 * a stream private to another user than `viewer` is unknown too.
 */
export class GetStreamHistoryQuery extends Query<StreamHistory> {
  constructor(
    readonly streamId: string,
    readonly viewer: AuditViewer,
    readonly atVersion?: number,
    readonly workspaceId?: string,
  ) {
    super();
  }
}
