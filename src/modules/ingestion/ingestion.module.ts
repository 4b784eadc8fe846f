import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { DataSubjects } from '@libs/event-store/data-subjects';
import { EventTypeRegistry } from '@libs/event-store/event-type-registry';
import { registerErrorStatuses } from '@libs/common/http/error-status.registry';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { GetJobHttpController } from './application/get-job/get-job.http.controller';
import { ImportMessagesHttpController } from './application/import-messages/import-messages.http.controller';
import { ImportRunner } from './application/import-messages/import-runner';
import { ListMessagesHttpController } from './application/list-messages/list-messages.http.controller';
import { SourcesHandler } from './application/sources/sources.handler';
import { SourcesHttpController } from './application/sources/sources.http.controller';
import { sourceContactPersonalData } from './domain/conversation.events';
import { messagePersonalData } from './domain/message/message.events';
import { IngestionAggregates } from './infrastructure/ingestion-aggregates';
import { eraseMessageAuthors } from './infrastructure/ingestion-erasure';
import { ingestionErrorStatuses } from './infrastructure/ingestion.errors.http';
import { IngestionQueries } from './infrastructure/ingestion.queries';
import { MessageWriter } from './infrastructure/message-writer';
import { SourceCredentials } from './infrastructure/source-credentials';
import { ConversationsProjection, SourceContactsProjection } from './projections/conversations.projection';
import { JobsProjection } from './projections/jobs.projection';
import { MessagesProjection } from './projections/messages.projection';
import { SourcesProjection } from './projections/sources.projection';

registerErrorStatuses(ingestionErrorStatuses);

/** Read models, personal-data declarations and the erasure hook: shared by the app and the CLI. */
@Injectable()
class IngestionRegistrar implements OnModuleInit {
  constructor(
    private readonly projections: ProjectionRegistry,
    private readonly eventTypes: EventTypeRegistry,
    private readonly subjects: DataSubjects,
  ) {}

  onModuleInit(): void {
    this.projections.register(new SourcesProjection(), new MessagesProjection(), new JobsProjection(), new ConversationsProjection(), new SourceContactsProjection());
    for (const [type, spec] of Object.entries({ ...messagePersonalData, ...sourceContactPersonalData })) this.eventTypes.personalData(type, spec);
    this.subjects.onErasure(eraseMessageAuthors);
  }
}

@Module({ providers: [IngestionRegistrar, SourceCredentials], exports: [SourceCredentials] })
export class IngestionProjectionsModule {}

/**
 * Ingestion: sources and their credentials, the one message model, imports (JSON, NDJSON, CSV),
 * jobs. Everything it stores is an event; other modules read `ingestion.*` events (contracts/).
 */
@Module({
  imports: [IngestionProjectionsModule],
  controllers: [SourcesHttpController, ImportMessagesHttpController, ListMessagesHttpController, GetJobHttpController],
  providers: [IngestionQueries, IngestionAggregates, MessageWriter, SourcesHandler, ImportRunner],
  exports: [IngestionQueries, MessageWriter, SourcesHandler, ImportRunner, IngestionAggregates],
})
export class IngestionModule {}
