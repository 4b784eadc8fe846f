import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { decodeEventCursor, encodeEventCursor } from '@modules/audit/application/event-cursor';
import { toEventCriteria } from '@modules/audit/application/event-filters.request.dto';
import { AuditEventsQueries } from '@modules/audit/infrastructure/audit-events.queries';
import { EventPageResult, ListEventsQuery } from './list-events.query';

export const DEFAULT_EVENT_PAGE_SIZE = 50;

/**
 * Keyset pages over (transaction_id, global_position) below the gap-safe horizon: a page never
 * shows an event while an older transaction could still commit before it, so a walk of the
 * cursor sees every event exactly once, even while events are appended (they come at the end).
 */
@QueryHandler(ListEventsQuery)
export class ListEventsHandler implements IQueryHandler<ListEventsQuery> {
  constructor(private readonly queries: AuditEventsQueries) {}

  async execute({ params, viewer }: ListEventsQuery): Promise<EventPageResult> {
    const criteria = toEventCriteria(params);
    const after = params.cursor === undefined ? undefined : decodeEventCursor(params.cursor);
    const limit = params.limit ?? DEFAULT_EVENT_PAGE_SIZE;
    const page = await this.queries.page(criteria, { after, limit }, viewer);
    const last = page.items[page.items.length - 1];
    return { items: page.items, nextCursor: page.hasMore && last ? encodeEventCursor(last) : null };
  }
}
