import { Query } from '@nestjs/cqrs';
import { StreamHistory } from '@modules/audit/infrastructure/audit-events.queries';

/**
 * A stream's head and its events, oldest first, optionally only up to a version. With
 * `workspaceId` only a stream of that workspace is found (another workspace's is unknown).
 */
export class GetStreamHistoryQuery extends Query<StreamHistory> {
  constructor(
    readonly streamId: string,
    readonly atVersion?: number,
    readonly workspaceId?: string,
  ) {
    super();
  }
}
