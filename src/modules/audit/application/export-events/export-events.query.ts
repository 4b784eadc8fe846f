import { Query } from '@nestjs/cqrs';
import type { AuditViewer } from '@libs/event-store/audit-visibility';
import { EventFilters } from '@modules/audit/application/event-filters.request.dto';
import { AuditEventView } from '@modules/audit/infrastructure/audit-events.queries';

/** Every event of a selection, in log order, produced page by page as it is consumed. */
export class ExportEventsQuery extends Query<AsyncIterable<AuditEventView>> {
  constructor(
    readonly filters: EventFilters,
    readonly viewer: AuditViewer,
  ) {
    super();
  }
}
