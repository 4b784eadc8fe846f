import { Query } from '@nestjs/cqrs';
import { StreamHistory } from '@modules/audit/infrastructure/audit-events.queries';

/** A stream's head and its events, oldest first, optionally only up to a version. */
export class GetStreamHistoryQuery extends Query<StreamHistory> {
  constructor(
    readonly streamId: string,
    readonly atVersion?: number,
  ) {
    super();
  }
}
