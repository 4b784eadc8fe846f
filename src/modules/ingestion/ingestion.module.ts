import { Global, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { DataSubjects } from '@libs/event-store/data-subjects';
import { EventTypeRegistry } from '@libs/event-store/event-type-registry';
import { registerErrorStatuses } from '@libs/common/http/error-status.registry';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { GetJobHttpController } from './application/get-job/get-job.http.controller';
import { ImportFileHttpController } from './application/import-files/import-file.http.controller';
import { FileImports } from './application/import-files/import-file.service';
import { FileImporter } from './contracts/file-imports';
import { MessageTexts } from './contracts/message-texts';
import { MessageTextsReader } from './infrastructure/message-texts.reader';
import { MessageWindow } from './contracts/message-window';
import { MessageWindowReader } from './infrastructure/message-window.reader';
import { importUploadOptions } from './application/import-files/import-upload.options';
import { ImportMessagesHttpController } from './application/import-messages/import-messages.http.controller';
import { ImportRunner } from './application/import-messages/import-runner';
import { ImportSlots } from './application/import-messages/import-slots';
import { ListMessagesHttpController } from './application/list-messages/list-messages.http.controller';
import { pullSyncErrorStatuses } from './application/pull-sync/pull-sync.errors.http';
import { PullSyncHttpController } from './application/pull-sync/pull-sync.http.controller';
import { PullSyncSchedule } from './application/pull-sync/pull-sync.schedule';
import { PullSyncService } from './application/pull-sync/pull-sync.service';
import { SourcesHandler } from './application/sources/sources.handler';
import { StopUnlinkedAccountSourcesRegistrar } from './application/sources/stop-unlinked-account-sources.consumer';
import { SourcesHttpController } from './application/sources/sources.http.controller';
import { WebhookDeliveries } from './application/webhooks/webhook-deliveries';
import { WebhookIntake } from './application/webhooks/webhook-intake';
import { WebhooksHttpController } from './application/webhooks/webhooks.http.controller';
import { sourceContactPersonalData } from './domain/conversation.events';
import { ingestionAuditVisibility } from './domain/ingestion.audit-visibility';
import { messagePersonalData } from './domain/message/message.events';
import { AccountProofs } from './application/sources/account-proofs';
import { ConnectorHttp } from './infrastructure/connectors/connector-http';
import { ConversationWriter } from './infrastructure/conversation-writer';
import { IngestionAggregates } from './infrastructure/ingestion-aggregates';
import { eraseMessageAuthors } from './infrastructure/ingestion-erasure';
import { ingestionErrorStatuses } from './infrastructure/ingestion.errors.http';
import { IngestionQueries } from './infrastructure/ingestion.queries';
import { MessageWriter } from './infrastructure/message-writer';
import { MessageClassificationWriter } from './infrastructure/message-classification-writer';
import { WinkTokenizer } from './infrastructure/wink-tokenizer';
import { MessageTokenizer } from './domain/noise/message-token';
import { NoiseScoringRegistrar } from './application/noise-scoring/noise-scoring.registrar';
import { SourceCredentials } from './infrastructure/source-credentials';
import { ConversationsProjection } from './projections/conversations.projection';
import { SourceContactsProjection } from './projections/source-contacts.projection';
import { JobsProjection } from './projections/jobs.projection';
import { MessagesProjection } from './projections/messages.projection';
import { SourcesProjection } from './projections/sources.projection';

registerErrorStatuses(ingestionErrorStatuses);
registerErrorStatuses(pullSyncErrorStatuses);

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
    for (const [type, spec] of Object.entries(ingestionAuditVisibility)) this.eventTypes.auditVisibility(type, spec);
    this.subjects.onErasure(eraseMessageAuthors);
  }
}

@Module({ providers: [IngestionRegistrar, SourceCredentials], exports: [SourceCredentials] })
export class IngestionProjectionsModule {}

/** The facades of contracts/ other modules inject: analysis reads windows of messages (MessageWindow) and given messages' texts (MessageTexts). */
@Global()
@Module({
  providers: [MessageWindowReader, { provide: MessageWindow, useExisting: MessageWindowReader }, MessageTextsReader, { provide: MessageTexts, useExisting: MessageTextsReader }],
  exports: [MessageWindow, MessageTexts],
})
export class IngestionFacadesModule {}

/**
 * What imports need without HTTP (the app and the CLI's `import` command): queries, aggregates,
 * the message writer, sources, the import runner and file imports.
 */
@Module({
  imports: [IngestionProjectionsModule],
  providers: [IngestionQueries, IngestionAggregates, MessageWriter, SourcesHandler, ImportRunner, ImportSlots, FileImports, { provide: FileImporter, useExisting: FileImports }, ConnectorHttp, AccountProofs],
  exports: [IngestionQueries, IngestionAggregates, MessageWriter, SourcesHandler, ImportRunner, ImportSlots, FileImports, FileImporter, ConnectorHttp],
})
export class IngestionCoreModule {}

/**
 * Ingestion: sources and their credentials, the one message model, imports (JSON, NDJSON, CSV,
 * export files: Slack, Telegram, mbox, .eml), jobs. Everything it stores is an event; other
 * modules read `ingestion.*` events (contracts/).
 */
@Module({
  imports: [
    IngestionProjectionsModule,
    IngestionCoreModule,
    IngestionFacadesModule,
    // Uploads of POST /imports: to the OS temp dir, at most IMPORT_MAX_FILE_MB.
    MulterModule.registerAsync({ inject: [APP_CONFIG], useFactory: (config: AppConfig) => importUploadOptions(config.IMPORT_MAX_FILE_MB) }),
  ],
  controllers: [SourcesHttpController, ImportMessagesHttpController, ListMessagesHttpController, GetJobHttpController, PullSyncHttpController, ImportFileHttpController, WebhooksHttpController],
  providers: [
    // Noise scoring: a durable consumer of new and edited messages.
    MessageClassificationWriter, { provide: MessageTokenizer, useClass: WinkTokenizer }, NoiseScoringRegistrar,
    // Pull sync (Chatwoot, Gong): on demand and scheduled, from per-source watermarks.
    PullSyncService, PullSyncSchedule,
    // A disconnected OAuth account (identity) stops the sources reading it.
    StopUnlinkedAccountSourcesRegistrar,
    // Provider webhooks: verified on the raw body, mapped per provider, deduplicated by delivery and message ids.
    WebhookIntake, WebhookDeliveries, ConversationWriter,
  ],
  exports: [IngestionCoreModule],
})
export class IngestionModule {}
