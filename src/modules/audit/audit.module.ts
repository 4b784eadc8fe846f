import { Module } from '@nestjs/common';
import { ExportEventsHandler } from './application/export-events/export-events.handler';
import { ExportEventsHttpController } from './application/export-events/export-events.http.controller';
import { ExportWorkspaceEventsHttpController } from './application/export-events/export-workspace-events.http.controller';
import { GetCorrelationHandler } from './application/get-correlation/get-correlation.handler';
import { GetCorrelationHttpController } from './application/get-correlation/get-correlation.http.controller';
import { GetWorkspaceCorrelationHttpController } from './application/get-correlation/get-workspace-correlation.http.controller';
import { GetStreamHistoryHandler } from './application/get-stream-history/get-stream-history.handler';
import { GetStreamHistoryHttpController } from './application/get-stream-history/get-stream-history.http.controller';
import { GetWorkspaceStreamHistoryHttpController } from './application/get-stream-history/get-workspace-stream-history.http.controller';
import { ListEventsHandler } from './application/list-events/list-events.handler';
import { ListEventsHttpController } from './application/list-events/list-events.http.controller';
import { ListWorkspaceEventsHttpController } from './application/list-events/list-workspace-events.http.controller';
import { AuditProjectionsModule } from './audit-projections.module';
import { AuditEventsQueries } from './infrastructure/audit-events.queries';

/**
 * The superuser's view of the event log: filtered keyset pages, NDJSON export, a stream's
 * history and a request's causation tree. Reads the `events` table directly (the log IS the
 * audit trail); PG_POOL and the EventTypeRegistry come from the global database and event
 * store modules, the QueryBus from the global EventSourcingModule. The workspace audit (the
 * same reads, scoped to one workspace) is here too; the operators' platform admin API is the
 * admin module's.
 */
@Module({
  imports: [AuditProjectionsModule],
  controllers: [
    ListEventsHttpController,
    ExportEventsHttpController,
    GetStreamHistoryHttpController,
    GetCorrelationHttpController,
    ListWorkspaceEventsHttpController,
    ExportWorkspaceEventsHttpController,
    GetWorkspaceStreamHistoryHttpController,
    GetWorkspaceCorrelationHttpController,
  ],
  providers: [AuditEventsQueries, ListEventsHandler, ExportEventsHandler, GetStreamHistoryHandler, GetCorrelationHandler],
})
export class AuditModule {}
