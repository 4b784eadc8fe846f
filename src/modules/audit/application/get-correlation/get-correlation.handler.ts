import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { NotFoundError } from '@libs/common/errors/application-error';
import { AuditEventsQueries } from '@modules/audit/infrastructure/audit-events.queries';
import { buildCausationTree } from './causation-tree';
import { CorrelationResult, GetCorrelationQuery } from './get-correlation.query';

/** One request's events fit in an answer; a runaway correlation is cut rather than exhaust memory. */
export const MAX_CORRELATION_EVENTS = 10_000;

@QueryHandler(GetCorrelationQuery)
export class GetCorrelationHandler implements IQueryHandler<GetCorrelationQuery> {
  constructor(private readonly queries: AuditEventsQueries) {}

  async execute({ correlationId, viewer, workspaceId }: GetCorrelationQuery): Promise<CorrelationResult> {
    const found = await this.queries.byCorrelation(correlationId, MAX_CORRELATION_EVENTS + 1, viewer, workspaceId);
    if (found.length === 0) throw new NotFoundError(`No events with correlation id ${correlationId}`, { correlationId });
    const events = found.slice(0, MAX_CORRELATION_EVENTS);
    return { correlationId, events, tree: buildCausationTree(events), truncated: found.length > MAX_CORRELATION_EVENTS };
  }
}
