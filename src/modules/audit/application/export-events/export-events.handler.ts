import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { AuditViewer } from '@libs/event-store/audit-visibility';
import { Checkpoint } from '@libs/event-store/event-store.types';
import { toEventCriteria } from '@modules/audit/application/event-filters.request.dto';
import { AuditEventsQueries, AuditEventView, EventCriteria } from '@modules/audit/infrastructure/audit-events.queries';
import { ExportEventsQuery } from './export-events.query';

export const EXPORT_PAGE_SIZE = 1000;

@QueryHandler(ExportEventsQuery)
export class ExportEventsHandler implements IQueryHandler<ExportEventsQuery> {
  constructor(private readonly queries: AuditEventsQueries) {}

  /** Validates now (so a bad request is still a 400), reads lazily: one page in memory at a time. */
  async execute({ filters, viewer }: ExportEventsQuery): Promise<AsyncIterable<AuditEventView>> {
    return this.walk(toEventCriteria(filters), viewer);
  }

  /**
   * Keyset pages of the gap-safe log. The horizon of the first page caps every later page, so an
   * export is the log as it stood when the export started: under a steady write load it ends,
   * instead of chasing new events for ever. Each page is its own short statement: no
   * transaction or cursor stays open while the client reads (the embedded database has a single
   * connection, and a slow client must not hold back anyone else).
   */
  private async *walk(criteria: EventCriteria, viewer: AuditViewer): AsyncGenerator<AuditEventView> {
    let after: Checkpoint | undefined;
    let upTo: string | undefined;
    for (;;) {
      const page = await this.queries.page(criteria, { after, upTo, limit: EXPORT_PAGE_SIZE }, viewer);
      upTo ??= page.horizon;
      yield* page.items;
      const last = page.items.at(-1);
      if (!page.hasMore || !last) return;
      after = { transactionId: last.transactionId, globalPosition: last.globalPosition };
    }
  }
}
