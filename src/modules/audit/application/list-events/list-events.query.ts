import { Query } from '@nestjs/cqrs';
import type { AuditViewer } from '@libs/event-store/audit-visibility';
import { EventFilters } from '@modules/audit/application/event-filters.request.dto';
import { AuditEventView } from '@modules/audit/infrastructure/audit-events.queries';

export interface ListEventsParams extends EventFilters {
  cursor?: string;
  limit?: number;
}

export interface EventPageResult {
  items: AuditEventView[];
  nextCursor: string | null;
}

/** One page of the event log, in log order: every workspace, or the one of `params.workspaceId`. */
export class ListEventsQuery extends Query<EventPageResult> {
  constructor(
    readonly params: ListEventsParams,
    readonly viewer: AuditViewer,
  ) {
    super();
  }
}
