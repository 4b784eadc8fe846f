import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { NotFoundError } from '@libs/common/errors/application-error';
import { AuditEventsQueries, StreamHistory } from '@modules/audit/infrastructure/audit-events.queries';
import { GetStreamHistoryQuery } from './get-stream-history.query';

@QueryHandler(GetStreamHistoryQuery)
export class GetStreamHistoryHandler implements IQueryHandler<GetStreamHistoryQuery> {
  constructor(private readonly queries: AuditEventsQueries) {}

  async execute(query: GetStreamHistoryQuery): Promise<StreamHistory> {
    const history = await this.queries.streamHistory(query.streamId, query.viewer, query.atVersion, query.workspaceId);
    // The same error whether the stream does not exist, belongs to another workspace or to another user.
    if (!history) throw new NotFoundError(`No stream ${query.streamId}`, { streamId: query.streamId });
    return history;
  }
}
